"""Reads of file imports: who may see which batch."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from dieuhanh.accounts.selectors import scope_of
from dieuhanh.figures.models import ImportBatch


def import_batch_may_view_all(*, user: Any) -> bool:
    """Operators and administrators (the permission "Can view import batch"), and leaders."""
    return scope_of(user).reads_everything or bool(
        getattr(user, "has_perm", lambda _p: False)("figures.view_importbatch")
    )


def import_batch_may_view(*, user: Any, batch: ImportBatch) -> bool:
    """A batch is open to its creator and to whoever may view all imports."""
    return batch.created_by_id == getattr(user, "pk", None) or import_batch_may_view_all(user=user)


def import_batch_list(*, user: Any = None, limit: int = 50) -> QuerySet[ImportBatch]:
    """Recent imports, newest first; only the user's own unless they may view all."""
    qs = ImportBatch.objects.select_related("created_by").order_by("-created_at", "-id")
    if user is not None and not import_batch_may_view_all(user=user):
        qs = qs.filter(created_by=user)
    return qs[:limit]
