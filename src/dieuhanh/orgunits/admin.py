"""Admin of org units, groups, successions and share proposals (Vietnamese through the model verbose names)."""

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.admin import ModelAdmin
from dieuhanh.orgunits.choices import ChangeWay
from dieuhanh.orgunits.history import catalogue_change_note, catalogue_recording, catalogue_snapshot
from dieuhanh.orgunits.models import CatalogueChange, OrgUnit, OrgUnitGroup, ShareProposal, Succession, share_text
from dieuhanh.orgunits.shares import ShareError, pending_proposals, share_proposals_accept

# Where save_model leaves a record's state before the form's change, for save_related's note.
_BEFORE = "_catalogue_before"


class CatalogueHistoryAdmin(ModelAdmin[Any]):
    """An admin page of the catalogue whose creates, changes and deletions are kept in the catalogue's
    history (``orgunits.history``), as made in the admin by the signed-in user. ``history_many``:
    the many-to-many sides its form edits (a unit's groups)."""

    history_many: tuple[str, ...] | None = None

    def save_model(self, request: HttpRequest, obj: Model, form: ModelForm[Any], change: bool) -> None:
        stored = type(obj)._default_manager.filter(pk=obj.pk).first() if change and obj.pk is not None else None
        setattr(obj, _BEFORE, catalogue_snapshot(stored, many=self.history_many) if stored is not None else None)
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: ModelForm[Any], formsets: Any, change: bool) -> None:
        # After the many-to-many sides are saved, so that the note holds them.
        super().save_related(request, form, formsets, change)
        obj = form.instance
        with catalogue_recording(way=ChangeWay.ADMIN, user=request.user):
            catalogue_change_note(
                obj, before=getattr(obj, _BEFORE, None), after=catalogue_snapshot(obj, many=self.history_many)
            )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        with transaction.atomic(), catalogue_recording(way=ChangeWay.ADMIN, user=request.user):
            before, pk = catalogue_snapshot(obj, many=self.history_many), obj.pk
            super().delete_model(request, obj)
            obj.pk = pk  # as it was, for the history (Django clears it)
            catalogue_change_note(obj, before=before, after=None)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic(), catalogue_recording(way=ChangeWay.ADMIN, user=request.user):
            gone = [(obj, catalogue_snapshot(obj, many=self.history_many)) for obj in queryset]
            super().delete_queryset(request, queryset)
            for obj, before in gone:
                catalogue_change_note(obj, before=before, after=None)


@admin.register(CatalogueChange)
class CatalogueChangeAdmin(ModelAdmin[CatalogueChange]):
    """The catalogue's history, read only: it is written by the catalogue's writes alone."""

    list_display = ["at", "user", "way", "action", "model", "key", "changed_fields"]
    list_filter = ["way", "action", "model", "at"]
    search_fields = ["code", "key", "source"]
    list_select_related = ["user"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: CatalogueChange | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: CatalogueChange | None = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("changes"))
    def changed_fields(self, obj: CatalogueChange) -> str:
        return "; ".join(f"{name}: {_shown(old)} → {_shown(new)}" for name, (old, new) in obj.changes.items())


def _shown(value: Any) -> str:
    if value is None or value in ("", []):
        return "—"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


@admin.register(OrgUnit)
class OrgUnitAdmin(CatalogueHistoryAdmin):
    list_display = ["code", "name", "kind", "parent", "valid_from", "valid_to"]
    list_filter = ["kind", "depth"]
    search_fields = ["code", "name", "name_en"]
    autocomplete_fields = ["parent"]
    filter_horizontal = ["groups"]
    list_select_related = ["parent"]
    readonly_fields = ["path", "depth"]
    history_many = ("groups",)


@admin.register(OrgUnitGroup)
class OrgUnitGroupAdmin(CatalogueHistoryAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


def _accept(admin_page: admin.ModelAdmin, request: HttpRequest, proposals: list[ShareProposal]) -> None:
    """Accept ``proposals`` through the service, and log each succession's change in the admin's history."""
    if not proposals:
        admin_page.message_user(request, _("No proposal waits to be accepted for these."), messages.WARNING)
        return
    try:
        with catalogue_recording(way=ChangeWay.ADMIN, user=request.user):
            changed = share_proposals_accept(proposals=proposals, user=request.user)
    except ShareError as exc:
        admin_page.message_user(request, str(exc), messages.ERROR)
        return
    by_succession = {p.succession_id: p for p in proposals}
    for succession in changed:
        proposal = by_succession[succession.pk]
        admin_page.log_change(
            request,
            succession,
            _("Share set to %(share)s from a proposal (%(method)s, %(basis)s); it was %(before)s.")
            % {
                "share": share_text(proposal.share),
                "method": proposal.get_method_display(),
                "basis": proposal.basis,
                "before": share_text(proposal.replaced_share)
                if proposal.replaced_share is not None
                else _("not known"),
            },
        )
    admin_page.message_user(request, _("%(n)d shares set from their proposals.") % {"n": len(changed)})


@admin.register(Succession)
class SuccessionAdmin(CatalogueHistoryAdmin):
    list_display = ["predecessor", "successor", "effective_date", "merge_type", "share"]
    list_filter = ["merge_type", "effective_date"]
    autocomplete_fields = ["predecessor", "successor"]
    list_select_related = ["predecessor", "successor"]
    search_fields = ["predecessor__name", "successor__name", "predecessor__code", "successor__code"]
    actions = ["accept_proposals"]

    @admin.action(description=gettext_lazy("Accept the latest share proposal of the selected successions"))
    def accept_proposals(self, request: HttpRequest, queryset: QuerySet[Succession]) -> None:
        latest: dict[int, ShareProposal] = {}
        # Of several methods proposed for one succession, the latest proposal stands.
        for proposal in sorted(pending_proposals(successions=list(queryset)), key=lambda p: (p.proposed_at, p.pk)):
            latest[proposal.succession_id] = proposal
        _accept(self, request, list(latest.values()))


@admin.register(ShareProposal)
class ShareProposalAdmin(ModelAdmin[ShareProposal]):
    list_display = ["succession", "method", "share", "basis", "proposed_at", "accepted_at", "accepted_by"]
    list_filter = ["method", ("accepted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["succession__predecessor", "succession__successor", "accepted_by"]
    search_fields = ["succession__predecessor__name", "succession__successor__name", "succession__predecessor__code"]
    readonly_fields = [
        "succession",
        "method",
        "share",
        "basis",
        "proposed_at",
        "proposed_by",
        "accepted_at",
        "accepted_by",
        "replaced_share",
    ]
    actions = ["accept"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A proposal is computed (dieuhanh shares propose), never typed in.
        return False

    @admin.action(description=gettext_lazy("Accept the selected proposals (sets the successions' shares)"))
    def accept(self, request: HttpRequest, queryset: QuerySet[ShareProposal]) -> None:
        pending = list(
            queryset.filter(accepted_at__isnull=True).select_related("succession__predecessor", "succession__successor")
        )
        _accept(self, request, pending)
