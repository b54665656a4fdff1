"""``dieuhanh demo``: set up the database, load the Hồ Chí Minh City sample data, and serve the app."""

from __future__ import annotations

import argparse
import errno
import secrets
import socket
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandParser
from django.core.management.commands.runserver import naiveip_re
from django.db import connection
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.accounts.choices import Role
from dieuhanh.accounts.services import membership_add
from dieuhanh.commands import DieuhanhCommand
from dieuhanh.demo.catalogue import DemoDataError, demo_data_dir
from dieuhanh.demo.directives import directives_demo_load
from dieuhanh.demo.generate import DEFAULT_SEED
from dieuhanh.demo.projects import projects_demo_load
from dieuhanh.demo.reporting import reporting_demo_load
from dieuhanh.demo.services import DEMO_SOURCE, DemoCatalogueEditedError, demo_load
from dieuhanh.indicators.metadata import MetadataError
from dieuhanh.indicators.periods import Period, PeriodError, PeriodType
from dieuhanh.orgunits.choices import ChangeWay
from dieuhanh.orgunits.history import catalogue_recording
from dieuhanh.orgunits.selectors import today
from dieuhanh.reporting.loader import DataSetLoadError

DEMO_USERNAME = "demo"
DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000
DEFAULT_ADDRPORT = f"{DEFAULT_HOST}:{DEFAULT_PORT}"
# How far past a taken port to look for a free one to suggest.
PORTS_TO_TRY = 20


class AddressError(Exception):
    """The demo cannot serve on the address it was given; the message says what to do instead."""


def _url(addrport: str) -> str:
    """The address a browser should open for runserver's ``addrport`` ("8000", "0.0.0.0:8000" …)."""
    host, _sep, port = addrport.rpartition(":")
    if not host or host in {"0.0.0.0", "::", "[::]"}:  # noqa: S104 - we only print an address here
        host = "127.0.0.1"
    return f"http://{host}:{port or addrport}/"


def _host_port(addrport: str) -> tuple[str, int] | None:
    """The host and port runserver would serve on, read as runserver reads them; None if it would refuse them."""
    match = naiveip_re.fullmatch(addrport)
    if match is None or int(match["port"]) > 65535:
        return None
    if match["ipv6"]:
        return match["ipv6"][1:-1], int(match["port"])
    return match["addr"] or DEFAULT_HOST, int(match["port"])


def _bind_error(host: str, port: int) -> OSError | None:
    """Why a server could not listen on host:port now, or None if it could."""
    # runserver serves IPv6 only on an IPv6 address: a name such as localhost is looked up as IPv4.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            # As runserver's own socket does: a port a stopped server left waiting to close is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:  # socket.gaierror too: a host name that does not resolve
        return exc
    return None


def _joined(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _free_address(host: str, first_port: int) -> str:
    """An address to suggest: the first port from ``first_port`` on that is free on the host."""
    for port in range(first_port, min(first_port + PORTS_TO_TRY, 65536)):
        if _bind_error(host, port) is None:
            return _joined(host, port)
    return _joined(host, first_port)


def check_address(addrport: str) -> None:
    """Raise AddressError unless the demo can serve on ``addrport``: checked before anything is loaded."""
    parsed = _host_port(addrport)
    if parsed is None:
        raise AddressError(
            _(
                "“%(address)s” is not an address and port. Give one such as 127.0.0.1:8001: "
                "make demo ADDRPORT=127.0.0.1:8001 (or dieuhanh demo --addrport 127.0.0.1:8001)."
            )
            % {"address": addrport}
        )
    error = _bind_error(*parsed)
    if error is None:
        return
    if error.errno == errno.EADDRINUSE:
        other = _free_address(parsed[0], parsed[1] + 1)
        message = _(
            "The address %(address)s is in use: another program, perhaps another demo, is serving on it. "
            "Stop that program, or choose another address: make demo ADDRPORT=%(other)s "
            "(or dieuhanh demo --addrport %(other)s)."
        )
    else:
        other = _free_address(DEFAULT_HOST, DEFAULT_PORT)
        message = _(
            "The demo cannot serve on %(address)s (%(error)s). Choose another address: "
            "make demo ADDRPORT=%(other)s (or dieuhanh demo --addrport %(other)s)."
        )
    raise AddressError(message % {"address": addrport, "other": other, "error": error.strerror or error})


def _month(text: str) -> Period:
    """A month given on the command line (202611)."""
    try:
        period = Period.parse(text)
    except PeriodError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    if period.type != PeriodType.MONTHLY:
        raise argparse.ArgumentTypeError(_("“%(period)s” is not a month; write it as 202611.") % {"period": text})
    return period


class Command(DieuhanhCommand):
    help = gettext_lazy("Create or upgrade the database, load the Hồ Chí Minh City sample data, then serve the app.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--load-only", action="store_true", help=_("Load the sample data and exit; do not serve."))
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Load the sample catalogue even over edits made to it here since the demo loaded it."),
        )
        parser.add_argument(
            "--addrport",
            default=DEFAULT_ADDRPORT,
            metavar=_("ADDRESS"),
            help=_("Address and port to serve on, such as 0.0.0.0:8080 (default: %(default)s).")
            % {"default": DEFAULT_ADDRPORT},
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            metavar=_("NUMBER"),
            help=_("Seed of the synthetic figures."),
        )
        parser.add_argument(
            "--until",
            type=_month,
            default=None,
            metavar=_("YYYYMM"),
            help=_("Last month of the synthetic figures (default: the last complete month before today)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["load_only"]:
            # Before the database is touched or a password printed: both would be wasted.
            try:
                check_address(options["addrport"])
            except AddressError as exc:
                self.stderr.write(str(exc))
                sys.exit(1)
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(
            _("Database ready (%(vendor)s: %(name)s).")
            % {"vendor": connection.vendor, "name": connection.settings_dict["NAME"]}
        )
        self.stdout.write(_("Loading the Hồ Chí Minh City sample data…"))
        try:
            result = demo_load(seed=options["seed"], until=options["until"], force=options["force"])
        except DemoCatalogueEditedError as exc:
            self.stderr.write(_("The sample data were not loaded:"))
            for line in str(exc).splitlines():
                self.stderr.write(f"  {line}")
            sys.exit(1)
        except (DemoDataError, MetadataError) as exc:
            self.stderr.write(_("The sample data could not be loaded:"))
            for line in str(exc).splitlines():
                self.stderr.write(f"  - {line}")
            sys.exit(1)
        if result.unchanged:
            self.stdout.write(_("The sample data were already loaded; nothing to change."))
        self.stdout.write(
            _(
                "%(units)s org units, %(indicators)s indicators, %(targets)s targets, "
                "%(values)s data values (seed %(seed)d) in %(seconds)s s."
            )
            % {
                "units": number_format(result.org_units, force_grouping=True),
                "indicators": number_format(result.indicators, force_grouping=True),
                "targets": number_format(result.targets, force_grouping=True),
                "values": number_format(result.values, force_grouping=True),
                "seed": result.seed,
                "seconds": number_format(result.seconds, decimal_pos=1),
            }
        )
        self.stdout.write(_("The figures are synthetic sample data, not official statistics."))
        try:
            # The scorecards' indicators it loads are the demo's too, in the catalogue's history.
            with catalogue_recording(way=ChangeWay.DEMO, source=DEMO_SOURCE):
                directives = directives_demo_load(data_dir=demo_data_dir())
        except OSError as exc:
            self.stderr.write(_("The sample directives could not be loaded: %(error)s") % {"error": exc})
            sys.exit(1)
        self.stdout.write(
            _("%(n)s sample directives from the seed article, with %(u)s progress reports.")
            % {"n": directives.directives, "u": directives.updates}
        )
        # The projects' plans and disbursement add up to the figures just loaded; their figures are
        # written once, at the end of the load (``projects_figures_refresh``).
        try:
            projects = projects_demo_load(seed=options["seed"], until=result.until)
        except (ValueError, ValidationError) as exc:
            self.stderr.write(_("The sample projects could not be loaded: %(error)s") % {"error": exc})
            sys.exit(1)
        self.stdout.write(
            _("%(n)s sample public-investment projects, %(d)s monthly disbursements, %(o)s obstacles.")
            % {
                "n": projects.projects,
                "d": number_format(projects.disbursements, force_grouping=True),
                "o": projects.obstacles,
            }
        )
        try:
            reporting = reporting_demo_load(
                data_dir=demo_data_dir(), until=result.until, today=today(), seed=options["seed"]
            )
        except (OSError, DataSetLoadError) as exc:
            self.stderr.write(_("The sample reporting calendar could not be loaded: %(error)s") % {"error": exc})
            sys.exit(1)
        self.stdout.write(
            _("%(n)s sample data sets, %(r)s reports dated, %(u)s left unsent.")
            % {
                "n": reporting.data_sets,
                "r": number_format(reporting.reports, force_grouping=True),
                "u": reporting.unsent,
            }
        )
        if options["load_only"]:
            return

        password = self._reset_demo_user()
        url = _url(options["addrport"])
        self.stdout.write(
            _("Sign in as %(username)s with password %(password)s (shown only this once).")
            % {"username": DEMO_USERNAME, "password": password}
        )
        self.stdout.write(_("Open %(url)s in your browser; press Ctrl+C to stop.") % {"url": url})
        call_command("runserver", options["addrport"], use_reloader=False)

    def _reset_demo_user(self) -> str:
        """Make sure the superuser ``demo`` exists, an administrator, with a new random password each run."""
        password = secrets.token_urlsafe(12)
        user_model = get_user_model()
        user, _created = user_model.objects.get_or_create(username=DEMO_USERNAME)
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        membership_add(user=user, role=Role.ADMINISTRATOR)
        return password
