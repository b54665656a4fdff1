from typing import Any

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "dieuhanh.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Signal receivers are connected once the apps are loaded, as Django advises.
        from django.contrib.auth.signals import user_logged_in  # noqa: PLC0415

        from dieuhanh.accounts.middleware import session_clocks_restart  # noqa: PLC0415

        user_logged_in.connect(session_clocks_restart, dispatch_uid="dieuhanh-session-clocks")
        post_migrate.connect(_refresh_role_groups, dispatch_uid="dieuhanh.accounts.role_groups")


def _refresh_role_groups(sender: Any, **kwargs: Any) -> None:
    # After the last app's permissions exist (Django creates them app by app, in this same signal).
    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender is not last:
        return
    from dieuhanh.accounts.roles import role_groups_refresh  # noqa: PLC0415 - models are ready only now

    role_groups_refresh(using=kwargs.get("using"))
