"""The fixed lists of the reports app's models."""

from __future__ import annotations

from django.db import models


class ReportFormat(models.TextChoices):
    DOCX = "docx", "DOCX (Word)"
    PDF = "pdf", "PDF"
    HTML = "html", "HTML"
