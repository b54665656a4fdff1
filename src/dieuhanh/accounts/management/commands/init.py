from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Create the database named by DATABASE_URL, or upgrade it to this version."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(
            _("Database ready (%(vendor)s: %(name)s).")
            % {"vendor": connection.vendor, "name": connection.settings_dict["NAME"]}
        )
