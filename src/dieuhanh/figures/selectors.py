"""Reads about the stored figures as a whole."""

from __future__ import annotations

from dieuhanh.figures.choices import ImportFormat
from dieuhanh.figures.models import ImportBatch


def demo_data_present() -> bool:
    """Whether the database holds the synthetic sample data (pages and the report then say so)."""
    return ImportBatch.objects.filter(file_format=ImportFormat.DEMO).exists()
