"""What the technical error page (DEBUG on) and the error mails may show of settings and variables."""

from __future__ import annotations

import re
from typing import Any

from django.views.debug import SafeExceptionReporterFilter

# scheme://user:password@host — the password may hold any character but white space; the host is
# what follows the last "@" before the path.
URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)(?P<password>\S*)@(?P<host>[^@/\s]*)", re.I)


class SecretMaskingExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, and besides:

    - settings and environment variables named like a connection string (``DATABASE_URL``, a DSN)
      are hidden whole: they hold a password;
    - a password written inside any URL (``postgres://user:password@host/db``, a cache's
      ``redis://:password@host``) is replaced by stars wherever it appears: settings, request.META
      (which holds the server's environment under runserver and gunicorn), and the variables of
      the traceback's frames (a failed connection's parameters).
    """

    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|DATABASE_URL|DSN|CREDENTIAL", flags=re.I
    )

    def cleanse_setting(self, key: Any, value: Any) -> Any:
        cleansed = super().cleanse_setting(key, value)
        # Plain strings only: a lazy translation or a proxy is left as it is.
        if type(cleansed) is str:
            return URL_PASSWORD.sub(lambda m: f"{m['head']}{self.cleansed_substitute}@{m['host']}", cleansed)
        return cleansed

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> Any:
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return [(name, self._cleanse_variable(name, value)) for name, value in variables]

    def _cleanse_variable(self, name: str, value: Any) -> Any:
        try:
            return self.cleanse_setting(name, value)
        except Exception:
            return self.cleansed_substitute
