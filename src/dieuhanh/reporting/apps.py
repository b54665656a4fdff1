from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "dieuhanh.reporting"
    verbose_name = _("Reporting calendar")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The figures service knows no data set: approved reports lock their figures, and the data
        # sets decide the status of a figure written with none (reporting.policy).
        from dieuhanh.figures.services import status_policy_register, write_guard_register  # noqa: PLC0415
        from dieuhanh.reporting.policy import approved_figures_guard, statuses_by_data_sets  # noqa: PLC0415

        write_guard_register(approved_figures_guard)
        status_policy_register(statuses_by_data_sets)
