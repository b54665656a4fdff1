from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.commands import DieuhanhCommand


class Command(DieuhanhCommand):
    help = gettext_lazy("Create the database named by DATABASE_URL, or upgrade it to this version.")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(
            _("Database ready (%(vendor)s: %(name)s).")
            % {"vendor": connection.vendor, "name": connection.settings_dict["NAME"]}
        )
