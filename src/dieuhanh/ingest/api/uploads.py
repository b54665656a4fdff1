"""What the API's file imports share (the figures' files, the register's): the attached file,
refused before it is read when it is missing or too large; the options; the answer."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from dieuhanh.ingest.parsers import Issue
from dieuhanh.ingest.services import issue_text, too_large_message

TRUE = {"1", "true", "yes", "on"}


def import_upload(request: Request) -> Any:
    """The file a request attaches to import (the field ``file``): the parser's ``UploadedFile``,
    untyped as ``request.FILES`` holds it (its ``file`` is what the imports read)."""
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationError({"file": _("Attach the file to import in the field 'file'.")})
    if upload.size is not None and upload.size > settings.DIEUHANH_IMPORT_MAX_BYTES:
        # Refuse on the announced size, before reading a huge upload into memory.
        raise ValidationError({"file": too_large_message()})
    return upload


def import_options(request: Request, *, formats: Collection[str]) -> tuple[bool, str | None]:
    """Whether a request only checks its file (``dry_run``), and the file's format it names, one
    of ``formats`` (None: the import tells it from the file)."""
    dry_run = str(request.data.get("dry_run", "")).lower() in TRUE
    file_format = request.data.get("format") or None
    if file_format is not None and file_format not in formats:
        raise ValidationError({"format": _("Unknown format '%(format)s'.") % {"format": file_format}})
    return dry_run, file_format


def import_answer(record: Any, *, issues: Iterable[Issue], dry_run: bool) -> Response:
    """The import's record (serialized); a refused file's with its messages (400), a file checked
    only 200, one written 201."""
    body = dict(record)
    messages = [issue_text(issue) for issue in issues]
    if messages:
        body["messages"] = messages
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    return Response(body, status=status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED)
