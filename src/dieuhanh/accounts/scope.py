"""What a user may see and change, and where: the scope their roles give them.

``scope_of(user)`` is asked once per request (it is kept on the user object, which Django makes
anew for every request). Every read and write of figures, directives and their files asks it,
so the rule lives here once:

- an anonymous visitor, and a signed-in user with no role, sees public indicators and their
  figures only, as the public does;
- a viewer, reporter or approver reads every indicator of the catalogue, and the figures of the
  subtrees of their units (and, for a unit that is an agency, of the indicators it answers for);
  a reporter writes figures there;
- a viewer or approver of a province at the root of the tree is a *leader*: they read everything;
- an approver approves the reports of the units strictly below their own (the level above
  approves; never their own unit's report); an operator reopens an approved report;
- an operator reads everything and keeps the catalogue (Django permissions through the role's
  group, see ``accounts.roles``); an administrator, like a superuser, may do everything.

A membership names a unit as a row of the tree: its scope is that row's subtree (the tree's
materialised path). Units of before and after a re-organisation are different rows, so a
reporter of a district abolished on 1/7/2025 keeps the district's history and is given the new
units by an operator, who assigns them anew; scopes never follow successions by themselves.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Model, Q, QuerySet

from dieuhanh.accounts.choices import Role
from dieuhanh.accounts.models import Membership
from dieuhanh.actors import signed_in
from dieuhanh.orgunits.choices import OrgUnitKind
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.tree import in_subtrees

M = TypeVar("M", bound=Model)

# The attribute of the user object the scope is kept on, for the rest of the request.
CACHE_ATTRIBUTE = "_dieuhanh_scope"
# Where Django's ModelBackend keeps a user's permissions for the request (``access_load`` fills it).
PERMISSIONS_ATTRIBUTE = "_perm_cache"

UNIT_ROLES = frozenset({Role.VIEWER, Role.REPORTER, Role.APPROVER})
LEADER_ROLES = frozenset({Role.VIEWER, Role.APPROVER})


@dataclass(frozen=True)
class _Unit:
    """A membership's unit, as much of it as a scope needs."""

    pk: int
    path: str


@dataclass(frozen=True)
class Scope:
    """One user's reach: what they read and write, and where (see the module's docstring)."""

    signed_in: bool = False
    roles: frozenset[str] = frozenset()
    # A superuser or an administrator: every read and write.
    everything: bool = False
    # A leader or an operator: every read.
    reads_everything: bool = False
    is_leader: bool = False
    read_units: tuple[_Unit, ...] = ()
    write_units: tuple[_Unit, ...] = ()
    approve_units: tuple[_Unit, ...] = ()

    # ---- what kind of user -------------------------------------------------------------------

    @property
    def may_see_internal(self) -> bool:
        """Whether the user sees indicators that are not public (with their targets): anyone
        holding a role. Signed in without one, a user sees what the public sees."""
        return self.everything or bool(self.roles)

    @property
    def may_write_figures(self) -> bool:
        """Whether the user writes figures anywhere (a reporter, an administrator)."""
        return self.everything or bool(self.write_units)

    @property
    def may_keep_catalogue(self) -> bool:
        """Whether the user keeps the catalogue (indicators, units, targets) and the calendar."""
        return self.everything or Role.OPERATOR in self.roles

    @property
    def may_approve(self) -> bool:
        """Whether the user approves reports anywhere (an approver, an administrator)."""
        return self.everything or bool(self.approve_units)

    @property
    def may_reopen(self) -> bool:
        """Whether the user reopens approved reports (an operator, an administrator)."""
        return self.everything or Role.OPERATOR in self.roles

    # ---- one unit ----------------------------------------------------------------------------

    def may_approve_unit(self, unit: OrgUnit) -> bool:
        """Whether the user approves the reports of ``unit``: the level above approves, so an
        approver approves the units strictly below their own (never their own unit's report);
        an administrator every unit."""
        if self.everything:
            return True
        return any(_below(unit.path, a) for a in self.approve_units)

    def approvable_units(self, queryset: QuerySet[M], *, through: str = "") -> QuerySet[M]:
        """``queryset`` of units (or rows reaching one) narrowed to those whose reports the user
        approves (``may_approve_unit``)."""
        if self.everything:
            return queryset
        if not self.approve_units:
            return queryset.none()
        # Their own units, unless one lies below another unit they approve for.
        own = [a.pk for a in self.approve_units if not any(_below(a.path, b) for b in self.approve_units)]
        return queryset.filter(in_subtrees(self.approve_units, through=through)).exclude(
            **{f"{_join(through, 'pk')}__in": own}
        )

    def may_read_unit(self, unit: OrgUnit) -> bool:
        """Whether the user reads the unit's figures of every indicator (not only the public ones)."""
        return self.everything or self.reads_everything or _within(unit.path, self.read_units)

    def may_read(self, *, unit: OrgUnit, indicator: Any) -> bool:
        """Whether the user reads the figures of ``indicator`` at ``unit`` (its own, or aggregated
        from below): a public indicator anywhere; another in the subtrees they read, or anywhere
        when an agency they belong to answers for it."""
        if indicator.is_public or self.everything or self.reads_everything:
            return True
        if not self.read_units:
            return False
        if _within(unit.path, self.read_units):
            return True
        agency = getattr(indicator, "responsible_agency", None)
        return agency is not None and _within(agency.path, self.read_units)

    @property
    def cache_key(self) -> tuple[object, ...]:
        """What a cached answer depends on of the asker: users with the same key see the same."""
        if self.everything or self.reads_everything:
            return ("all",)
        if not self.may_see_internal:
            return ("public",)
        return ("units", *sorted(unit.pk for unit in self.read_units))

    def may_write_unit(self, unit: OrgUnit, period: object = None) -> bool:
        """Whether the user writes figures of ``unit``; ``period`` is the figures' period. (A
        figure of an approved report is locked for everyone, by a guard in the figures service:
        ``reporting.policy``.)"""
        return self.everything or _within(unit.path, self.write_units)

    def may_write(self, *, unit: OrgUnit, indicator: Any, period: object = None) -> bool:
        """Whether the user writes the figure of ``indicator`` for ``unit``: the unit is in a
        reporter's subtree, or the indicator is one an agency they report for answers for."""
        if self.everything:
            return True
        if not indicator.is_public and not self.may_see_internal:
            return False
        if self.may_write_unit(unit, period):
            return True
        agency = getattr(indicator, "responsible_agency", None)
        return agency is not None and _within(agency.path, self.write_units)

    # ---- querysets ---------------------------------------------------------------------------

    def indicators(self, queryset: QuerySet[M], *, through: str = "") -> QuerySet[M]:
        """``queryset`` of indicators, or of rows reaching one ``through`` a relation, narrowed to
        the indicators the user may see."""
        if self.may_see_internal:
            return queryset
        return queryset.filter(**{_join(through, "is_public"): True})

    def units(self, queryset: QuerySet[M], *, through: str = "") -> QuerySet[M]:
        """``queryset`` of units (or of rows reaching one) narrowed to the subtrees the user reads
        in full. Units themselves are public reference data: this is for pickers and lists of
        what the user works on."""
        if self.everything or self.reads_everything:
            return queryset
        return queryset.filter(in_subtrees(self.read_units, through=through))

    def writable_units(self, queryset: QuerySet[M], *, through: str = "") -> QuerySet[M]:
        if self.everything:
            return queryset
        return queryset.filter(in_subtrees(self.write_units, through=through))

    def figures(self, queryset: QuerySet[M], *, through: str = "") -> QuerySet[M]:
        """``queryset`` of data values (or rows reaching one ``through`` a relation) narrowed to
        those the user may read: public indicators everywhere, and every indicator in their units'
        subtrees (or answered for by an agency they belong to)."""
        if self.everything or self.reads_everything:
            return queryset
        public = Q(**{_join(through, "indicator__is_public"): True})
        if not self.roles:
            return queryset.filter(public)
        mine = in_subtrees(self.read_units, through=_join(through, "org_unit")) | in_subtrees(
            self.read_units, through=_join(through, "indicator__responsible_agency")
        )
        return queryset.filter(public | mine)

    def writable_figures(self, queryset: QuerySet[M], *, through: str = "") -> QuerySet[M]:
        """``queryset`` of data values narrowed to those the user may change or delete."""
        if self.everything:
            return queryset
        if not self.write_units:
            return queryset.none()
        return queryset.filter(
            in_subtrees(self.write_units, through=_join(through, "org_unit"))
            | in_subtrees(self.write_units, through=_join(through, "indicator__responsible_agency"))
        )

    def directives(self, queryset: QuerySet[M], *, through: str = "") -> QuerySet[M]:
        """``queryset`` of directives (or rows reaching one ``through`` a relation: progress
        updates, evidence files) narrowed to those the user may read: all for leaders, operators
        and administrators; for other roles, those led by, coordinated by or issued by a unit of
        their subtrees; none without a role."""
        if self.everything or self.reads_everything:
            return queryset
        if not self.read_units:
            return queryset.none()
        mine = (
            in_subtrees(self.read_units, through=_join(through, "lead_agency"))
            | in_subtrees(self.read_units, through=_join(through, "coordinating_agencies"))
            | in_subtrees(self.read_units, through=_join(through, "source__org_unit"))
            | in_subtrees(self.read_units, through=_join(through, "parent__lead_agency"))
        )
        # The relations to many (coordinating agencies) would repeat a row: ask by key instead.
        model = queryset.model
        return queryset.filter(pk__in=model._default_manager.filter(mine).values("pk"))

    # ---- many units at once (an import) -----------------------------------------------------

    def unwritable_unit_ids(self, unit_ids: Collection[int]) -> set[int]:
        """Which of ``unit_ids`` the user may not write figures of (one query)."""
        if self.everything or not unit_ids:
            return set()
        paths = OrgUnit.objects.filter(pk__in=list(unit_ids)).values_list("pk", "path")
        return {pk for pk, path in paths if not _within(path, self.write_units)}

    def agency_indicators(self, indicators: QuerySet[M]) -> QuerySet[M]:
        """Of ``indicators``, those the user writes for every unit, as a reporter of the agency
        that answers for them."""
        if self.everything:
            return indicators
        if not self.write_units:
            return indicators.none()
        return indicators.filter(in_subtrees(self.write_units, through="responsible_agency"))


def _within(path: str, units: Iterable[_Unit]) -> bool:
    return any(path.startswith(unit.path) for unit in units)


def _below(path: str, unit: _Unit) -> bool:
    """Whether the unit at ``path`` lies strictly below ``unit``."""
    return path.startswith(unit.path) and path != unit.path


def _join(through: str, name: str) -> str:
    return f"{through}__{name}" if through else name


NOBODY = Scope()


def scope_of(user: Any) -> Scope:
    """The scope of ``user`` (anonymous, None: the public's), kept on the user for the request."""
    if not signed_in(user):
        return NOBODY
    cached = getattr(user, CACHE_ATTRIBUTE, None)
    if isinstance(cached, Scope):
        return cached
    return access_load(user)


def scope_forget(user: Any) -> None:
    """Drop the scope kept on ``user`` (after their memberships changed)."""
    if user is not None and hasattr(user, CACHE_ATTRIBUTE):
        delattr(user, CACHE_ATTRIBUTE)


def access_load(user: Any) -> Scope:
    """Read what ``user`` may do — their memberships and, for an active user who is not a
    superuser, their permissions — in one statement, and keep both on the user for the request:
    the scope as ``scope_of`` keeps it, the permissions where Django's ``ModelBackend`` keeps them
    (``accounts.backends`` answers from there). A signed-in page asks both (the figures it may
    show, the menu), so they cost one round trip to the database rather than two."""
    with_permissions = bool(user.is_active) and not user.is_superuser
    params = [user.pk, user.pk, user.pk] if with_permissions else [user.pk]
    with connection.cursor() as cursor:
        cursor.execute(_access_sql(with_permissions=with_permissions), params)
        rows = cursor.fetchall()
    memberships = [_Membership(*row[1:]) for row in rows if row[0] == "m"]
    if with_permissions:
        setattr(user, PERMISSIONS_ATTRIBUTE, {row[1] for row in rows if row[0] == "p"})
    scope = _scope_build(user, memberships)
    setattr(user, CACHE_ATTRIBUTE, scope)
    return scope


@dataclass(frozen=True)
class _Membership:
    """One membership as a scope is built from it (its unit may be empty)."""

    role: str
    unit_pk: int | None
    path: str | None
    parent_pk: int | None
    kind: str | None

    @property
    def unit(self) -> _Unit | None:
        return None if self.unit_pk is None or self.path is None else _Unit(self.unit_pk, self.path)


@functools.cache
def _access_sql(*, with_permissions: bool) -> str:
    """The statement of ``access_load``: a user's memberships (``m`` rows: role and unit), then,
    ``with_permissions``, their own and their groups' permissions (``p`` rows: ``app_label.codename``
    in the second column). Parameters: the user's key, once or three times."""
    membership, unit = Membership._meta, OrgUnit._meta

    def column(meta: Any, name: str) -> str:
        return str(connection.ops.quote_name(meta.get_field(name).column))

    sql = (
        f"SELECT 'm', m.{column(membership, 'role')}, u.{column(unit, 'id')}, u.{column(unit, 'path')},"  # noqa: S608 - the models' own tables and columns
        f" u.{column(unit, 'parent')}, u.{column(unit, 'kind')}"
        f" FROM {membership.db_table} m LEFT JOIN {unit.db_table} u"
        f" ON u.{column(unit, 'id')} = m.{column(membership, 'org_unit')}"
        f" WHERE m.{column(membership, 'user')} = %s"
    )
    if not with_permissions:
        return sql
    user_model = get_user_model()
    user_permissions = user_model._meta.get_field("user_permissions").remote_field.through._meta  # type: ignore[union-attr]
    user_groups = user_model._meta.get_field("groups").remote_field.through._meta  # type: ignore[union-attr]
    group_permissions = Group.permissions.through._meta
    return (
        f"{sql} UNION ALL"  # noqa: S608 - the models' own tables
        " SELECT 'p', ct.app_label || '.' || p.codename, NULL, NULL, NULL, NULL"
        f" FROM {Permission._meta.db_table} p JOIN {ContentType._meta.db_table} ct ON ct.id = p.content_type_id"
        " WHERE p.id IN ("
        f"SELECT up.permission_id FROM {user_permissions.db_table} up WHERE up.user_id = %s"
        f" UNION SELECT gp.permission_id FROM {group_permissions.db_table} gp"
        f" JOIN {user_groups.db_table} ug ON ug.group_id = gp.group_id WHERE ug.user_id = %s)"
    )


def _scope_build(user: Any, memberships: list[_Membership]) -> Scope:
    roles = frozenset(m.role for m in memberships)
    everything = bool(user.is_superuser) or Role.ADMINISTRATOR in roles
    is_leader = any(
        m.role in LEADER_ROLES and m.unit is not None and m.parent_pk is None and m.kind == OrgUnitKind.PROVINCE
        for m in memberships
    )
    read = tuple(m.unit for m in memberships if m.role in UNIT_ROLES and m.unit is not None)
    write = tuple(m.unit for m in memberships if m.role == Role.REPORTER and m.unit is not None)
    approve = tuple(m.unit for m in memberships if m.role == Role.APPROVER and m.unit is not None)
    return Scope(
        signed_in=True,
        roles=roles,
        everything=everything,
        reads_everything=everything or is_leader or Role.OPERATOR in roles,
        is_leader=is_leader,
        read_units=read,
        write_units=write,
        approve_units=approve,
    )
