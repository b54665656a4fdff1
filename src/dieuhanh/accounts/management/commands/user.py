"""``dieuhanh user``: add a user with a role at units, and give a user a new API token.

dieuhanh user create USERNAME --role ROLE [--org-unit CODE[,CODE…]] [--email …] [--password-prompt]
dieuhanh user token USERNAME [--days N] [--name …]
"""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.accounts.choices import DEPLOYMENT_ROLES, Role
from dieuhanh.accounts.services import TOKEN_DAYS, api_token_create, user_create
from dieuhanh.commands import DieuhanhCommand
from dieuhanh.orgunits.models import OrgUnit, day_text
from dieuhanh.orgunits.selectors import today, units_by_code


class Command(DieuhanhCommand):
    help = gettext_lazy("Add a user with a role at units, or give a user a new API token.")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="{create,token}")
        text = _("Add a user holding a role at one or more units (and their subtrees).")
        create = actions.add_parser("create", help=text, description=text)
        create.add_argument("username", metavar=_("USERNAME"))
        create.add_argument(
            "--role",
            required=True,
            choices=Role.values,
            help=_("viewer, reporter, approver, operator or administrator."),
        )
        create.add_argument(
            "--org-unit",
            dest="org_unit",
            default="",
            metavar=_("CODE[,CODE…]"),
            help=_("Codes of the units or agencies, as they are today; not needed for operators and administrators."),
        )
        create.add_argument("--email", default="", metavar=_("E-MAIL"))
        create.add_argument(
            "--password-prompt",
            action="store_true",
            help=_("Ask for the password instead of making one up and printing it."),
        )
        text = _("Print a new API token of a user (shown only this once).")
        token = actions.add_parser("token", help=text, description=text)
        token.add_argument("username", metavar=_("USERNAME"))
        token.add_argument(
            "--days", type=int, default=TOKEN_DAYS, metavar="N", help=_("Days the token is valid (default 90).")
        )
        token.add_argument("--name", default="", help=_("What the token is for."))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "create":
            self._create(options)
        elif options["action"] == "token":
            self._token(options)
        else:
            raise CommandError(_("Say what to do: dieuhanh user create … or dieuhanh user token …"))

    def _create(self, options: dict[str, Any]) -> None:
        codes = [c.strip() for c in options["org_unit"].split(",") if c.strip()]
        if not codes and options["role"] not in DEPLOYMENT_ROLES:
            raise CommandError(_("A viewer, reporter or approver needs --org-unit: the codes of their units."))
        units = [_unit_today(code) for code in codes]
        password = None
        if options["password_prompt"]:
            password = getpass.getpass(_("Password: "))
            if not password or password != getpass.getpass(_("Password (again): ")):
                raise CommandError(_("The passwords are empty or differ."))
        try:
            created = user_create(
                username=options["username"],
                role=options["role"],
                org_units=units,
                email=options["email"],
                password=password,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        where = ", ".join(unit.label() for unit in units) or _("every unit")
        self.stdout.write(
            _("User %(name)s added: %(role)s at %(where)s.")
            % {"name": created.user.username, "role": Role(options["role"]).label, "where": where}
        )
        if created.generated:
            self.stdout.write(
                _("Password: %(password)s (shown only this once; ask them to change it).")
                % {"password": created.password}
            )

    def _token(self, options: dict[str, Any]) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(_("There is no user named “%(name)s”.") % {"name": options["username"]})
        try:
            issued = api_token_create(user=user, days=options["days"], name=options["name"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(issued.key)
        self.stderr.write(
            _("The token of %(name)s is valid until %(date)s; it is shown only this once.")
            % {"name": user.username, "date": day_text(issued.token.expires_at.date())}
        )


def _unit_today(code: str) -> OrgUnit:
    """The unit a code names today; refused, listing the units with it, when none or several do."""
    on = today()
    units = units_by_code([code]).get(code, [])
    valid = [unit for unit in units if unit.is_valid_on(on)]
    if len(valid) == 1:
        return valid[0]
    if not units:
        raise CommandError(_("No unit has the code %(code)s.") % {"code": code})
    listed = "; ".join(f"{unit.name} ({unit.code}, {unit.validity_text()})" for unit in units)
    if not valid:
        raise CommandError(
            _("No unit with the code %(code)s exists today (%(date)s): %(units)s. Give the code of a unit of today.")
            % {"code": code, "date": day_text(on), "units": listed}
        )
    raise CommandError(
        _("The code %(code)s names several units today: %(units)s. Fix the catalogue first.")
        % {"code": code, "units": listed}
    )
