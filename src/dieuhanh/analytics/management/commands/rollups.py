from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from tqdm import tqdm

from dieuhanh.analytics.models import Rollup, RollupState
from dieuhanh.analytics.services import STATE_KEY, rebuilt_text, rollups_rebuild
from dieuhanh.commands import DieuhanhCommand


class Command(DieuhanhCommand):
    help = gettext_lazy("Rebuild the pre-aggregated analytics (rollups), or show their state.")
    # A data command: the system checks (which import every URL and view, a second or two) run
    # with `dieuhanh init`, `dieuhanh check` and the server, not before every import or query.
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            choices=["rebuild", "status"],
            help=_("rebuild: compute them all again; status: show their state."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "rebuild":
            with tqdm(total=0, unit=_("unit"), disable=not self.stdout.isatty(), leave=False) as bar:

                def progress(done: int, total: int) -> None:
                    bar.total = total
                    bar.n = done
                    bar.refresh()

                result = rollups_rebuild(progress=progress)
            self.stdout.write(rebuilt_text(result))
            return
        state = RollupState.objects.filter(key=STATE_KEY).first()
        if state is None or not state.valid:
            reason = state.note if state is not None and state.note else _("never built")
            self.stdout.write(
                _(
                    "Rollups are not in use (%(reason)s); analytics computes from the figures. "
                    "Run: dieuhanh rollups rebuild"
                )
                % {"reason": reason}
            )
        else:
            self.stdout.write(
                _("Rollups are current: %(rows)s rows; rebuilt %(rebuilt)s, last refreshed %(refreshed)s.")
                % {
                    "rows": number_format(Rollup.objects.count(), force_grouping=True),
                    "rebuilt": state.rebuilt_at,
                    "refreshed": state.refreshed_at,
                }
            )
