from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "dieuhanh.projects"
    verbose_name = _("Public investment")
    default_auto_field = "django.db.models.BigAutoField"
