from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


def _disbursement_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A disbursement row saved one by one (not through the write service, which says so itself):
    its year's disbursement to date is no longer current. Deletes go through
    ``services.disbursements_delete`` (a receiver of deletes would make every project's deletion
    load its rows one by one)."""
    from dieuhanh.projects import todate  # noqa: PLC0415 - the app registry is ready

    todate.stale([instance.plan_year])


class ProjectsConfig(AppConfig):
    name = "dieuhanh.projects"
    verbose_name = _("Public investment")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dieuhanh.projects.models import Disbursement  # noqa: PLC0415

        post_save.connect(_disbursement_saved, sender=Disbursement, dispatch_uid="disbursement_to_date_stale")
