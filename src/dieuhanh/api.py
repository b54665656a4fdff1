"""Pieces shared by every app's REST API."""

from __future__ import annotations

import codecs
import json
import re
import secrets
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer


class ProtectedDeleteMixin:
    """Refuse to delete what other records still use, with a message instead of a server error."""

    def perform_destroy(self, instance: Any) -> None:
        try:
            instance.delete()
        except ProtectedError as exc:
            raise ValidationError(
                {
                    "detail": _("Cannot delete %(object)s: %(n)d other record(s) still refer to it.")
                    % {"object": instance, "n": len(exc.protected_objects)}
                }
            ) from exc


class ExactJSONRenderer(JSONRenderer):
    """JSON whose decimal figures are numbers with every digit, not floats.

    DRF writes a Decimal as a float, which keeps about 16 significant digits: 12345678901234.567891
    would go out as 12345678901234.568. Here it goes out as written; a client that reads JSON
    numbers as floats gets what it got before, one that reads them as decimals gets the figure.
    """

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Mapping[str, Any] | None = None
    ) -> bytes:
        # Python's json module cannot write a number it did not make: each Decimal is written as
        # a string marked with a token nobody can guess, and the marks are then taken off.
        token = secrets.token_hex(8)
        base = self.encoder_class

        class Encoder(base):  # type: ignore[valid-type,misc]
            def default(self, obj: Any) -> Any:
                if isinstance(obj, Decimal) and obj.is_finite():
                    return token + format(obj.normalize(), "f")
                return super().default(obj)

        class Once(JSONRenderer):
            encoder_class = Encoder

        text = Once().render(data, accepted_media_type, renderer_context)
        return re.sub(rb'"' + token.encode() + rb'(-?[0-9]+(?:\.[0-9]+)?)"', rb"\1", text)


class ExactJSONParser(JSONParser):
    """JSON whose numbers with a fraction are read as decimals, not floats (every digit kept)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.load(codecs.getreader(encoding)(stream), parse_float=Decimal, parse_constant=_no_constant)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")
