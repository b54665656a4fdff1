"""GET /api/v1/analytics: the eight measures; GET /api/v1/analytics/ranking: units below one, ranked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dieuhanh.accounts.selectors import Scope, scope_of
from dieuhanh.analytics.api.serializers import MEASURES, RANK_ROWS
from dieuhanh.analytics.engine import Basis
from dieuhanh.analytics.readmodel.scope import BASIS_PARAMETER, may_include_submitted
from dieuhanh.analytics.selectors import (
    AnalyticsQueryError,
    analytics_measures,
    analytics_ranking,
    answer_cached,
    exact_number_out,
    measures_as_json,
    ranked_units,
    resolve_query,
)
from dieuhanh.analytics.services import rollups_stamp
from dieuhanh.api import ExactJSONRenderer
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period, PeriodError
from dieuhanh.indicators.selectors import may_see_internal
from dieuhanh.limits import analytics_cells_check, ranking_cells_check, whole_number
from dieuhanh.orgunits.models import OrgUnit

T = TypeVar("T")

_CODES = {
    "indicator": "Indicator code(s), comma-separated.",
    "org_unit": "Org unit code(s), comma-separated.",
    "period": "Period(s), comma-separated: 2023, 2023S1, 2023Q2, 202306.",
}


BASIS = OpenApiParameter(
    BASIS_PARAMETER,
    OpenApiTypes.STR,
    enum=[b.value for b in Basis],
    default=Basis.APPROVED.value,
    description="Which figures count: approved (default) only, or submitted too (those awaiting approval; "
    "drafts never). 'submitted' is answered to signed-in users holding a role.",
)


def _basis(request: Request) -> Basis:
    """The basis asked for: approved unless the query says ``basis=submitted``; refused (400) if it
    names no basis, (403) if it asks for figures awaiting approval that the asker may not see."""
    raw = str(request.query_params.get(BASIS_PARAMETER, "") or Basis.APPROVED.value).strip()
    try:
        basis = Basis(raw)
    except ValueError:
        raise ValidationError(
            {"detail": [_("The basis is 'approved' (the default) or 'submitted' (figures awaiting approval too).")]}
        ) from None
    if basis == Basis.SUBMITTED and not may_include_submitted(request.user):
        raise PermissionDenied(_("Figures awaiting approval are shown to signed-in users holding a role."))
    return basis


# A ranking reaches at most this many levels below its unit (country → province → district →
# commune is three); deeper is refused before the tree is walked.
MAX_RANKING_DEPTH = 10


def _codes(request: Request, name: str) -> tuple[str, ...]:
    """The codes of a parameter, given once or several times, comma-separated; each once, in the
    order first asked."""
    values = request.query_params.getlist(name)
    return tuple(dict.fromkeys(c.strip() for v in values for c in v.split(",") if c.strip()))


def _period_code(code: str) -> str:
    """A period as the API writes it (2023q2 → 2023Q2); one that is not a period is left as asked,
    for the lookup to name it."""
    try:
        return Period.parse(code).code
    except PeriodError:
        return code


@dataclass(frozen=True)
class Question:
    """What an analytics request asks, parsed from its query: every other parameter is ignored, and
    the order the codes come in does not change what is computed (only the order of the answer)."""

    indicators: tuple[str, ...]
    org_units: tuple[str, ...]
    periods: tuple[str, ...]
    internal: bool
    # What the asker may see (their scope's key): users with the same one get the same answers.
    scope: tuple[object, ...] = ()
    # Which figures count (docs/analytics.md, "The basis"): two bases are two questions.
    basis: Basis = Basis.APPROVED

    @classmethod
    def of(cls, request: Request) -> Question:
        return cls(
            indicators=_codes(request, "indicator"),
            org_units=_codes(request, "org_unit"),
            periods=tuple(dict.fromkeys(_period_code(c) for c in _codes(request, "period"))),
            internal=may_see_internal(request.user),
            scope=scope_of(request.user).cache_key,
            basis=_basis(request),
        )

    def normalised(self) -> Question:
        """The same question with its codes in one order: what the answer cache is keyed by."""
        return replace(
            self,
            indicators=tuple(sorted(self.indicators)),
            org_units=tuple(sorted(self.org_units)),
            periods=tuple(sorted(self.periods)),
        )

    def resolve(self, scope: Scope | None = None) -> tuple[list[Indicator], list[OrgUnit], list[Period]]:
        """The records asked for; with the asker's ``scope``, refused (403) where a non-public
        indicator is asked at a unit the scope does not read."""
        try:
            indicators, units, periods = resolve_query(
                indicator_codes=self.indicators,
                org_unit_codes=self.org_units,
                period_codes=self.periods,
                public_only=not self.internal,
            )
        except AnalyticsQueryError as exc:
            raise ValidationError({"detail": str(exc).splitlines()}) from exc
        if scope is not None:
            refused = [
                _(
                    "Indicator %(indicator)s is not public; your account reads it only in its own units, "
                    "not in %(unit)s."
                )
                % {"indicator": indicator.code, "unit": unit.label()}
                for indicator in indicators
                for unit in units
                if not scope.may_read(unit=unit, indicator=indicator)
            ]
            if refused:
                raise PermissionDenied(" ".join(refused))
        return indicators, units, periods


def _reordered(rows: Sequence[T], computed: Question, asked: Question) -> list[T]:
    """Rows computed for every indicator × unit × period of ``computed``, in the order ``asked``
    names the same codes."""
    where = [
        {code: i for i, code in enumerate(codes)}
        for codes in (computed.indicators, computed.org_units, computed.periods)
    ]
    units, periods = len(computed.org_units), len(computed.periods)
    return [
        rows[(where[0][i] * units + where[1][u]) * periods + where[2][p]]
        for i in asked.indicators
        for u in asked.org_units
        for p in asked.periods
    ]


def _answer(
    request: Request, question: tuple[Any, ...], rows_of: Callable[[str | None], list[dict[str, object]]]
) -> Response:
    """The answer to ``question`` (its rows computed by ``rows_of``, given the answers' stamp),
    through the answer cache: to a request for JSON — the API's clients, the pages' scripts — as the
    JSON written once and kept, so that the thousands of rows of a national ranking are not written
    out again for every request; to any other (the browsable API, an indented answer), as its rows."""
    stamp = rollups_stamp()
    renderer = getattr(request, "accepted_renderer", None)
    if isinstance(renderer, ExactJSONRenderer) and renderer.keeps(getattr(request, "accepted_media_type", None)):
        written = answer_cached(("json", *question), lambda _rolled: renderer.rendered(rows_of(stamp)), stamp=stamp)
        return Response(written)
    return Response(answer_cached(question, lambda _rolled: rows_of(stamp), stamp=stamp))


class AnalyticsView(APIView):
    """Value, previous, yoy_pct, ytd, plan, plan_completion_pct, projection and status per combination."""

    @extend_schema(
        parameters=[
            *(
                OpenApiParameter(name, OpenApiTypes.STR, required=True, description=text)
                for name, text in _CODES.items()
            ),
            BASIS,
        ],
        responses=MEASURES,
    )
    def get(self, request: Request) -> Response:
        asked = Question.of(request)
        # The cap first: a question too big is refused before a code is looked up.
        analytics_cells_check(
            indicators=len(asked.indicators), org_units=len(asked.org_units), periods=len(asked.periods)
        )
        key = asked.normalised()

        def compute(_use_rollups: bool) -> list[dict[str, object]]:
            # Looked up in the order asked (unknown codes are named in that order), computed in
            # the cache's order, so that the answer kept serves the question in any order.
            indicators, units, periods = asked.resolve(scope_of(request.user))
            indicator_of = dict(zip(asked.indicators, indicators, strict=True))
            unit_of = dict(zip(asked.org_units, units, strict=True))
            period_of = {p.code: p for p in periods}
            measures = analytics_measures(
                indicators=[indicator_of[c] for c in key.indicators],
                org_units=[unit_of[c] for c in key.org_units],
                periods=[period_of[c] for c in key.periods],
                basis=key.basis,
            )
            return [measures_as_json(m) for m in measures]

        def rows_of(stamp: str | None) -> list[dict[str, object]]:
            # Keyed by the question parsed (any other parameter, the order of the codes, a code given
            # twice do not make another question): a repeated one skips even looking its codes up.
            return _reordered(answer_cached(("api:analytics", key), compute, stamp=stamp), key, asked)

        # The rows are kept in the cache's order, and the answer as written in the order asked.
        return _answer(request, ("api:analytics", asked), rows_of)


class RankingView(APIView):
    """The children of an org unit ranked by a measure of one indicator, best first."""

    @extend_schema(
        parameters=[
            *(
                OpenApiParameter(name, OpenApiTypes.STR, required=True, description=text)
                for name, text in _CODES.items()
            ),
            OpenApiParameter(
                "measure", OpenApiTypes.STR, description="value (default), ytd, yoy_pct, plan_completion_pct …"
            ),
            OpenApiParameter("depth", OpenApiTypes.INT, description="1 (default): the children; 2: grandchildren …"),
            BASIS,
        ],
        responses=RANK_ROWS,
    )
    def get(self, request: Request) -> Response:
        asked = Question.of(request)
        if len(asked.indicators) != 1 or len(asked.org_units) != 1 or len(asked.periods) != 1:
            # Resolving names what is unknown or missing; otherwise, say what a ranking takes.
            asked.resolve()
            raise ValidationError({"detail": [_("Ranking takes exactly one indicator, one org unit and one period.")]})
        measure = str(request.query_params.get("measure", "value")).strip()
        depth = _depth(request)
        key = ("api:ranking", asked.normalised(), measure, depth)
        scope = scope_of(request.user)
        return _answer(request, key, lambda _stamp: self._compute(asked, measure, depth, scope))

    def _compute(self, asked: Question, measure: str, depth: int, scope: Scope) -> list[dict[str, object]]:
        (indicator,), (unit,), (period,) = asked.resolve(scope)
        # Counted before anything is computed: a ranking of more units than a question may ask is refused.
        ranking_cells_check(units=ranked_units(org_unit=unit, period=period, depth=depth).count())
        try:
            rows = analytics_ranking(
                indicator=indicator, org_unit=unit, period=period, measure=measure, depth=depth, basis=asked.basis
            )
        except AnalyticsQueryError as exc:
            raise ValidationError({"detail": [str(exc)]}) from exc
        return [
            {
                "rank": r.rank,
                "org_unit": r.org_unit,
                "name": r.name,
                "value": exact_number_out(r.value),
                "rebased": r.rebased,
                "missing_reason": r.missing_reason,
                "missing_units": list(r.missing_units),
                "basis": r.basis,
                "unapproved": r.unapproved,
            }
            for r in rows
        ]


def _depth(request: Request) -> int:
    raw = str(request.query_params.get("depth", "1"))
    depth = whole_number(raw, low=1, high=MAX_RANKING_DEPTH)
    if depth is None:
        raise ValidationError(
            {
                "detail": [
                    _("The depth must be a whole number from 1 (the units just below) to %(max)d.")
                    % {"max": MAX_RANKING_DEPTH}
                ]
            }
        )
    return depth
