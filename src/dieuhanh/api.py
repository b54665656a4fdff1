"""Pieces shared by every app's REST API."""

from __future__ import annotations

import codecs
import copy
import json
import re
import secrets
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, ProtectedError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework import serializers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.fields import SkipField
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings

_M = TypeVar("_M", bound=Model)
_BUILT_FIELDS: dict[tuple[type[Any], str | None], dict[str, Any]] = {}


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


# The context key under which a caller may give a CodeRelatedField a dict to remember records in.
RECORDS_BY_CODE = "records_by_code"


class CodeRelatedField(serializers.SlugRelatedField[_M]):
    """A related record named by its code.

    A caller that checks many records naming the same few (the catalogue loader: thousands of
    targets, a few hundred indicators and units) may pass a dict as ``context[RECORDS_BY_CODE]``;
    each code is then looked up once, not once a record."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", **kwargs)

    def to_internal_value(self, data: Any) -> _M:
        known = self.context.get(RECORDS_BY_CODE)
        if known is None or isinstance(data, bool) or not isinstance(data, (str, int)):
            return super().to_internal_value(data)
        key = (self.queryset.model, str(data))  # type: ignore[union-attr]
        if key not in known:
            known[key] = super().to_internal_value(data)  # an unknown code raises, and is not remembered
        return known[key]


class ModelRulesSerializer(serializers.ModelSerializer[_M]):
    """A model serializer that also holds the model's own rules (``clean()``) on the would-be record.

    The API, the admin and the catalogue loader then refuse the same records with the same words.
    Every problem is reported at once: the fields' own (a name left empty, a kind not in the list)
    and, beside them, the model's rules on the fields that were valid (a ratio without a
    denominator), where a plain serializer would stop at the first.
    """

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # Building a model serializer's fields reads the model every time, a few milliseconds; the
        # catalogue loader makes thousands of serializers. They are built once per class and
        # language (their messages are), and each serializer gets a copy, as DRF's declared fields.
        key = (type(self), translation.get_language())
        built = _BUILT_FIELDS.get(key)
        if built is None:
            built = _BUILT_FIELDS[key] = super().get_fields()
        return {name: _clone(field) for name, field in built.items()}

    def build_standard_field(
        self, field_name: str, model_field: Any
    ) -> tuple[type[serializers.Field[Any, Any, Any, Any]], dict[str, Any]]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if "choices" in kwargs:
            # Say what is allowed, not only what is not.
            allowed = ", ".join(str(value) for value, _label in kwargs["choices"] if value != "")
            kwargs["error_messages"] = {
                **kwargs.get("error_messages", {}),
                "invalid_choice": _("'{input}' is not one of: %(allowed)s.") % {"allowed": allowed},
            }
        return field_class, kwargs

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            self.model_rules(attrs)
        except DjangoValidationError as exc:
            raise ValidationError(_rule_errors(exc)) from exc
        return attrs

    def run_validators(self, value: Any) -> None:
        # The record's own validators (a pair given twice) stop DRF before validate(): the model's
        # rules are reported beside them.
        try:
            super().run_validators(value)
        except ValidationError as exc:
            errors: dict[str, Any] = dict(as_serializer_error(exc))
            try:
                self.model_rules(value)
            except DjangoValidationError as rules:
                for name, messages in _rule_errors(rules).items():
                    errors.setdefault(name, messages)
            raise ValidationError(errors) from exc

    def to_internal_value(self, data: Any) -> Any:
        try:
            return super().to_internal_value(data)
        except ValidationError as exc:
            if not isinstance(exc.detail, dict) or not isinstance(data, Mapping):
                # Not an object at all (a JSON array, a string): the framework's message says so.
                raise
            errors: dict[str, Any] = dict(exc.detail)
        # The model's rules on what was valid; a field that has a problem of its own keeps only that.
        valid: dict[str, Any] = {}
        for field in self._writable_fields:
            if field.field_name in errors:
                continue
            try:
                value = field.run_validation(field.get_value(data))
            except (ValidationError, DjangoValidationError, SkipField):
                continue
            self.set_value(valid, field.source_attrs, value)
        try:
            self.model_rules(valid)
        except DjangoValidationError as rules:
            for name, messages in _rule_errors(rules).items():
                errors.setdefault(name, messages)
        raise ValidationError(errors)

    def model_rules(self, attrs: Mapping[str, Any]) -> None:
        """Run the model's ``clean()`` on the record as it would be saved (raises Django's ValidationError)."""
        model: type[Model] = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if not (field.many_to_many or field.one_to_many):
                setattr(instance, name, value)
        instance.clean()


def _clone(field: serializers.Field[Any, Any, Any, Any]) -> serializers.Field[Any, Any, Any, Any]:
    """A field made again from its arguments, as DRF copies one (``Field.__deepcopy__``), but sharing
    the queryset it was given, as it shares its validators: a related field only ever asks
    ``queryset.all()``, and copying a query is most of the cost of copying a field."""
    kwargs = {
        key: value if key in ("validators", "regex", "queryset") else copy.deepcopy(value)
        for key, value in field._kwargs.items()  # type: ignore[attr-defined]
    }
    return field.__class__(*copy.deepcopy(field._args), **kwargs)  # type: ignore[attr-defined]


def _rule_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if not hasattr(exc, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: list(exc.messages)}
    return {
        api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name: list(messages)
        for name, messages in exc.message_dict.items()
    }


# Django REST framework's own messages that the API and the catalogue loader show, named here so
# that `make messages` keeps their Vietnamese in locale/vi (the framework's own catalogue has few).
FRAMEWORK_MESSAGES = (
    gettext_noop("This field is required."),
    gettext_noop("This field may not be null."),
    gettext_noop("This field may not be blank."),
    gettext_noop("Not a valid string."),
    gettext_noop("Ensure this field has no more than {max_length} characters."),
    gettext_noop("Must be a valid boolean."),
    gettext_noop("A valid integer is required."),
    gettext_noop("A valid number is required."),
    gettext_noop("Ensure this value is less than or equal to {max_value}."),
    gettext_noop("Ensure this value is greater than or equal to {min_value}."),
    gettext_noop("Ensure that there are no more than {max_digits} digits in total."),
    gettext_noop("Ensure that there are no more than {max_decimal_places} decimal places."),
    gettext_noop("Ensure that there are no more than {max_whole_digits} digits before the decimal point."),
    gettext_noop("String value too large."),
    gettext_noop("Date has wrong format. Use one of these formats instead: {format}."),
    gettext_noop("Expected a date but got a datetime."),
    gettext_noop('"{input}" is not a valid choice.'),
    gettext_noop('Expected a list of items but got type "{input_type}".'),
    gettext_noop("Invalid value."),
    gettext_noop("Invalid data. Expected a dictionary, but got {datatype}."),
    gettext_noop("The fields {field_names} must make a unique set."),
)


def _decimals_marked(base: type[json.JSONEncoder], token: str) -> type[json.JSONEncoder]:
    """``base`` writing each finite Decimal as a string marked with ``token`` (Python's json module
    cannot write a number it did not make); ``_decimals_unmarked`` then takes the marks off."""

    class Encoder(base):  # type: ignore[valid-type,misc]
        def default(self, obj: Any) -> Any:
            if isinstance(obj, Decimal) and obj.is_finite():
                return token + format(obj.normalize(), "f")
            return super().default(obj)

    return Encoder


def _marks(token: str) -> re.Pattern[str]:
    """The marked decimals ``_decimals_marked`` writes with ``token``: each mark and its quotes go."""
    return re.compile('"' + token + r'(-?[0-9]+(?:\.[0-9]+)?)"')


def _decimals_unmarked(text: str, token: str, marks: re.Pattern[str] | None = None) -> str:
    return (marks or _marks(token)).sub(r"\1", text)


def exact_json(data: Any, **options: Any) -> str:
    """``json.dumps(data, **options)`` with each Decimal written as a JSON number with every digit
    (a float keeps about 16 significant digits): what the commands print beside the API."""
    token = secrets.token_hex(8)
    encoder = _decimals_marked(options.pop("cls", json.JSONEncoder), token)
    return _decimals_unmarked(json.dumps(data, cls=encoder, **options), token)


class RenderedJSON(bytes):
    """An answer as ``ExactJSONRenderer`` wrote it, kept (the answer cache) to be sent again as it is:
    a national ranking is 3,321 rows, which took longer to write out than to find in the cache."""


# The mark of the API's decimals: one per process, never written out (every mark is taken off, a
# finite decimal always matching the pattern), so the pattern is compiled once, not per answer.
_TOKEN = secrets.token_hex(8)
_MARKS = _marks(_TOKEN)


class _MarkedJSONRenderer(JSONRenderer):
    encoder_class = _decimals_marked(JSONRenderer.encoder_class, _TOKEN)


class ExactJSONRenderer(JSONRenderer):
    """JSON whose decimal figures are numbers with every digit, not floats.

    DRF writes a Decimal as a float, which keeps about 16 significant digits: 12345678901234.567891
    would go out as 12345678901234.568. Here it goes out as written; a client that reads JSON
    numbers as floats gets what it got before, one that reads them as decimals gets the figure.

    An answer already written (``RenderedJSON``, from ``rendered``) is sent as it is.
    """

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Mapping[str, Any] | None = None
    ) -> bytes:
        if isinstance(data, RenderedJSON):
            return bytes(data)
        text = _MarkedJSONRenderer().render(data, accepted_media_type, renderer_context)
        return _decimals_unmarked(text.decode(), _TOKEN, _MARKS).encode()

    def keeps(self, accepted_media_type: str | None) -> bool:
        """Whether what ``rendered`` writes is what ``render`` writes for a request that accepted
        ``accepted_media_type``: not for one that asked for an indented answer (``; indent=N``)."""
        return self.get_indent(accepted_media_type or "", {}) is None

    def rendered(self, data: Any) -> RenderedJSON:
        """``data`` written as ``render`` writes it, to be kept and sent again."""
        return RenderedJSON(self.render(data, None, {}))


class ObjectJSONParser(JSONParser):
    """A JSON body that is an object, as every endpoint of the API takes: an array, a string or a
    number is refused (400), and so is JSON nested deeper than Python reads (not a server error)."""

    parse_float: Any = float

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.load(
                codecs.getreader(encoding)(stream), parse_float=self.parse_float, parse_constant=_no_constant
            )
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        except RecursionError as exc:
            raise ParseError(_("The JSON is nested too deeply to be read.")) from exc
        if not isinstance(data, dict):
            raise ParseError(_("The body must be a JSON object ({…}) naming the fields to write."))
        return data


class ExactJSONParser(ObjectJSONParser):
    """JSON whose numbers with a fraction are read as decimals, not floats (every digit kept)."""

    parse_float = Decimal


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")
