from django.apps import AppConfig
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
