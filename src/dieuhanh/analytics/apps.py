from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "dieuhanh.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from dieuhanh.analytics import signals  # noqa: PLC0415 - models must be loaded first
        from dieuhanh.analytics.services import figures_written_heard  # noqa: PLC0415
        from dieuhanh.figures.models import DataValue  # noqa: PLC0415
        from dieuhanh.figures.signals import figures_written  # noqa: PLC0415
        from dieuhanh.indicators.models import Indicator, Sector, Target  # noqa: PLC0415
        from dieuhanh.orgunits.models import OrgUnit, Succession  # noqa: PLC0415

        pre_save.connect(signals.org_unit_pre_save, sender=OrgUnit, dispatch_uid="rollups_unit_pre")
        post_save.connect(signals.org_unit_post_save, sender=OrgUnit, dispatch_uid="rollups_unit_post")
        post_delete.connect(signals.org_unit_post_delete, sender=OrgUnit, dispatch_uid="rollups_unit_delete")
        post_save.connect(signals.succession_changed, sender=Succession, dispatch_uid="rollups_succession_save")
        post_delete.connect(signals.succession_changed, sender=Succession, dispatch_uid="rollups_succession_delete")
        pre_save.connect(signals.indicator_pre_save, sender=Indicator, dispatch_uid="rollups_indicator_pre")
        post_save.connect(signals.indicator_post_save, sender=Indicator, dispatch_uid="rollups_indicator_post")
        post_delete.connect(signals.catalogue_changed, sender=Indicator, dispatch_uid="answers_indicator_delete")
        post_save.connect(signals.catalogue_changed, sender=Target, dispatch_uid="answers_target_save")
        post_delete.connect(signals.catalogue_changed, sender=Target, dispatch_uid="answers_target_delete")
        # A sector's name heads the overview's groups (and the page cache is keyed on the stamp).
        post_save.connect(signals.catalogue_changed, sender=Sector, dispatch_uid="answers_sector_save")
        post_delete.connect(signals.catalogue_changed, sender=Sector, dispatch_uid="answers_sector_delete")
        post_save.connect(signals.data_value_changed, sender=DataValue, dispatch_uid="rollups_value_save")
        post_delete.connect(signals.data_value_changed, sender=DataValue, dispatch_uid="rollups_value_delete")
        figures_written.connect(figures_written_heard, dispatch_uid="rollups_figures_written")
