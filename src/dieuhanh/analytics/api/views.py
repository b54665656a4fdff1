"""GET /api/v1/analytics: the eight measures; GET /api/v1/analytics/ranking: units below one, ranked."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dieuhanh.accounts.selectors import scope_of
from dieuhanh.analytics.api.serializers import MEASURES, RANK_ROWS
from dieuhanh.analytics.selectors import (
    AnalyticsQueryError,
    analytics_measures,
    analytics_ranking,
    answer_cached,
    measures_as_json,
    number_out,
    resolve_query,
)
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period
from dieuhanh.indicators.selectors import may_see_internal
from dieuhanh.orgunits.models import OrgUnit

_CODES = {
    "indicator": "Indicator code(s), comma-separated.",
    "org_unit": "Org unit code(s), comma-separated.",
    "period": "Period(s), comma-separated: 2023, 2023S1, 2023Q2, 202306.",
}


def _codes(request: Request, name: str) -> list[str]:
    values = request.query_params.getlist(name)
    return [c.strip() for v in values for c in v.split(",") if c.strip()]


def _asked(request: Request) -> tuple[object, ...]:
    """The question as asked (the answer also depends on what the asker may see: their scope's key)."""
    return (
        tuple(sorted((k, tuple(v)) for k, v in request.query_params.lists())),
        scope_of(request.user).cache_key,
    )


def _resolve(request: Request) -> tuple[list[Indicator], list[OrgUnit], list[Period]]:
    try:
        indicators, units, periods = resolve_query(
            indicator_codes=_codes(request, "indicator"),
            org_unit_codes=_codes(request, "org_unit"),
            period_codes=_codes(request, "period"),
            public_only=not may_see_internal(request.user),
        )
    except AnalyticsQueryError as exc:
        raise ValidationError({"detail": str(exc).splitlines()}) from exc
    scope = scope_of(request.user)
    refused = [
        _("Indicator %(indicator)s is not public; your account reads it only in its own units, not in %(unit)s.")
        % {"indicator": indicator.code, "unit": unit.label()}
        for indicator in indicators
        for unit in units
        if not scope.may_read(unit=unit, indicator=indicator)
    ]
    if refused:
        raise PermissionDenied(" ".join(refused))
    return indicators, units, periods


class AnalyticsView(APIView):
    """Value, previous, yoy_pct, ytd, plan, plan_completion_pct, projection and status per combination."""

    @extend_schema(
        parameters=[
            OpenApiParameter(name, OpenApiTypes.STR, required=True, description=text) for name, text in _CODES.items()
        ],
        responses=MEASURES,
    )
    def get(self, request: Request) -> Response:
        def compute(_use_rollups: bool) -> list[dict[str, object]]:
            indicators, units, periods = _resolve(request)
            measures = analytics_measures(indicators=indicators, org_units=units, periods=periods)
            return [measures_as_json(m) for m in measures]

        # Keyed by the question as asked: a repeated one skips even looking its codes up.
        return Response(answer_cached(("api:analytics", *_asked(request)), compute))


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
        ],
        responses=RANK_ROWS,
    )
    def get(self, request: Request) -> Response:
        return Response(answer_cached(("api:ranking", *_asked(request)), lambda _rolled: self._compute(request)))

    def _compute(self, request: Request) -> list[dict[str, object]]:
        indicators, units, periods = _resolve(request)
        if len(indicators) != 1 or len(units) != 1 or len(periods) != 1:
            raise ValidationError({"detail": [_("Ranking takes exactly one indicator, one org unit and one period.")]})
        measure = request.query_params.get("measure", "value")
        try:
            depth = int(request.query_params.get("depth", "1"))
        except ValueError:
            raise ValidationError({"detail": [_("The depth must be a whole number.")]}) from None
        try:
            rows = analytics_ranking(
                indicator=indicators[0], org_unit=units[0], period=periods[0], measure=measure, depth=depth
            )
        except AnalyticsQueryError as exc:
            raise ValidationError({"detail": [str(exc)]}) from exc
        return [
            {
                "rank": r.rank,
                "org_unit": r.org_unit,
                "name": r.name,
                "value": number_out(r.value),
                "rebased": r.rebased,
                "missing_reason": r.missing_reason,
                "missing_units": list(r.missing_units),
            }
            for r in rows
        ]
