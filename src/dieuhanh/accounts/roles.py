"""Each role's Django permissions, held by a group per role.

Roles say *what* a user does, memberships *where*. The "what" stays Django's permissions, so that
every check already written (``has_perm``, the API's model permissions, the admin) keeps working:
each role has a group (``role_group``) holding its permissions, and a member is in the group of
each role they hold (``role_groups_sync``, called by the services whenever memberships change).
The "where" is the scope (``accounts.scope``), which every read and write of figures, directives
and files asks besides.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from dieuhanh.accounts.choices import Role

GROUP_PREFIX = "dieuhanh: "

# app label → codenames (an empty tuple: every permission of the app); None: every permission.
_VIEW_FIGURES = {"figures": ("view_datavalue", "view_datavaluechange")}
_VIEW_DIRECTIVES = {
    "directives": (
        "view_sourcedocument",
        "view_directive",
        "view_progressupdate",
        "view_evidencefile",
        "view_directivetransfer",
    ),
    "reports": ("view_generatedreport",),
}
ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]] | None] = {
    Role.VIEWER: {**_VIEW_FIGURES, **_VIEW_DIRECTIVES},
    Role.REPORTER: {
        "figures": (
            "view_datavalue",
            "view_datavaluechange",
            "add_importbatch",
            "add_datavalue",
            "change_datavalue",
            "delete_datavalue",
        ),
        **_VIEW_DIRECTIVES,
    },
    Role.APPROVER: {**_VIEW_FIGURES, **_VIEW_DIRECTIVES},
    Role.OPERATOR: {
        "orgunits": (),
        "indicators": (),
        "figures": ("view_datavalue", "view_datavaluechange", "view_importbatch"),
        "directives": (),
        "reports": (),
        # The reporting calendar: data sets and their reminders.
        "reporting": (),
        # The public-investment register: projects, plans, transfers, disbursement, obstacles.
        "projects": (),
    },
    Role.ADMINISTRATOR: None,
}


def role_permissions(role: str) -> Any:
    """The permissions a role's group holds."""
    wanted = ROLE_PERMISSIONS[role]
    permissions = Permission.objects.all()
    if wanted is None:
        return permissions
    condition = Q(pk__in=[])
    for app_label, codenames in wanted.items():
        condition |= (
            Q(content_type__app_label=app_label, codename__in=codenames)
            if codenames
            else Q(content_type__app_label=app_label)
        )
    return permissions.filter(condition)


def role_group(role: str) -> Group:
    """The group of ``role``, made (or brought up to date) on first use."""
    group, created = Group.objects.get_or_create(name=f"{GROUP_PREFIX}{role}")
    if created:
        group.permissions.set(role_permissions(role))
    return group


def role_groups_refresh(**_kwargs: Any) -> None:
    """Every role's group with exactly its permissions (after ``migrate``: new models' permissions)."""
    for role in Role.values:
        group, _created = Group.objects.get_or_create(name=f"{GROUP_PREFIX}{role}")
        group.permissions.set(role_permissions(role))


def role_groups_sync(user: Any) -> None:
    """Put ``user`` in the groups of the roles they hold, and out of the others'."""
    held = set(user.memberships.values_list("role", flat=True))
    role_groups = Group.objects.filter(name__startswith=GROUP_PREFIX)
    user.groups.remove(*[g for g in role_groups if g.name.removeprefix(GROUP_PREFIX) not in held])
    user.groups.add(*[role_group(role) for role in sorted(held)])
    # Django keeps the permissions it has read on the user object.
    for cached in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        if hasattr(user, cached):
            delattr(user, cached)
