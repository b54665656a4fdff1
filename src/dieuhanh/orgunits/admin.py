"""Admin of org units, groups, successions and share proposals (Vietnamese through the model verbose names)."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.orgunits.models import OrgUnit, OrgUnitGroup, ShareProposal, Succession, share_text
from dieuhanh.orgunits.shares import ShareError, pending_proposals, share_proposals_accept


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin[OrgUnit]):
    list_display = ["code", "name", "kind", "parent", "valid_from", "valid_to"]
    list_filter = ["kind", "depth"]
    search_fields = ["code", "name", "name_en"]
    autocomplete_fields = ["parent"]
    filter_horizontal = ["groups"]
    list_select_related = ["parent"]
    readonly_fields = ["path", "depth"]


@admin.register(OrgUnitGroup)
class OrgUnitGroupAdmin(admin.ModelAdmin[OrgUnitGroup]):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


def _accept(admin_page: admin.ModelAdmin, request: HttpRequest, proposals: list[ShareProposal]) -> None:
    """Accept ``proposals`` through the service, and log each succession's change in the admin's history."""
    if not proposals:
        admin_page.message_user(request, _("No proposal waits to be accepted for these."), messages.WARNING)
        return
    try:
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
class SuccessionAdmin(admin.ModelAdmin[Succession]):
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
class ShareProposalAdmin(admin.ModelAdmin[ShareProposal]):
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
