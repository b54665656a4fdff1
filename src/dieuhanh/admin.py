"""What the admin pages of every app share: how they write a stored figure, and how their forms
check the keys they are sent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar, cast

from django import forms
from django.contrib import admin
from django.contrib.admin.options import BaseModelAdmin
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from dieuhanh.analytics.readmodel.writing import number

_M = TypeVar("_M", bound=Model)
_P = TypeVar("_P", bound=Model)


def admin_figure(value: Decimal | None, decimals: int) -> str:
    """A stored figure as the pages write it (1.234,5) with its indicator's decimals — or more, where
    the stored value has more: the admin is where operators check what is stored, and a figure rounded
    there would hide a difference the history records."""
    if value is None:
        return number(None, 0)
    exponent = value.normalize().as_tuple().exponent
    stored = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return number(value, max(decimals, stored))


def plain_number(value: Decimal | None) -> str | None:
    """A stored figure for an input box: its digits without the column's trailing zeros (1234.5, not
    1234.500000), nothing rounded; the box reads numbers with a point, whatever the language."""
    if value is None:
        return None
    return format(value.normalize(), "f")


# ---- keys the admin's forms are sent ------------------------------------------------------------
#
# Django's admin asks the database about every key a form was sent before it knows the key can be
# one: a multiple choice of "x" or of 99999999999999999999, or an autocomplete box re-drawn with
# it, answers with a server error (ValueError; OverflowError on SQLite). Every admin page of the
# product uses the classes below, which refuse such a key as an invalid choice instead.

_INT64 = 2**63


def key_usable(model: type[Model], value: object, field_name: str | None = None) -> bool:
    """Whether ``value`` can be a key (the primary key, or ``field_name``) of ``model``: what its
    field reads it as, and, for an integer, within the 64 bits a database column holds."""
    field = model._meta.get_field(field_name) if field_name else model._meta.pk
    try:
        key = field.to_python(value)  # type: ignore[union-attr]
    except (ValidationError, ValueError, TypeError, OverflowError):
        return False
    if isinstance(key, int):
        return -_INT64 <= key < _INT64
    return not (isinstance(key, str) and "\x00" in key)


def _model_of(field: forms.ModelChoiceField) -> type[Model]:
    # An admin's choice of records always has its queryset (the field's own records).
    return cast("QuerySet[Any]", field.queryset).model


class CheckedModelChoiceField(forms.ModelChoiceField):
    """A choice of one record that refuses a value no key can be before the database is asked."""

    def to_python(self, value: Any) -> Any:
        model = _model_of(self)
        refused = value not in self.empty_values and not isinstance(value, model)
        if refused and not key_usable(model, value, self.to_field_name):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class CheckedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A choice of several records that refuses a value no key can be before the database is asked."""

    def _check_values(self, value: Any) -> Any:
        if isinstance(value, list | tuple | set | frozenset):
            for pk in value:
                if not key_usable(_model_of(self), pk, self.to_field_name):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return super()._check_values(value)  # type: ignore[misc]


def _usable_only(widget: Any, value: Any) -> list[Any]:
    model = widget.field.remote_field.model
    field_name = getattr(widget.field.remote_field, "field_name", None)
    return [v for v in value if v in ("", None) or key_usable(model, v, field_name)]


class CheckedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete box re-drawn with a refused value shows it empty rather than failing."""

    def optgroups(self, name: str, value: Any, attrs: Any = None) -> Any:
        return super().optgroups(name, _usable_only(self, value), attrs)


class CheckedAutocompleteSelectMultiple(AutocompleteSelectMultiple):
    def optgroups(self, name: str, value: Any, attrs: Any = None) -> Any:
        return super().optgroups(name, _usable_only(self, value), attrs)


class KeysChecked(BaseModelAdmin[Any]):
    """What every admin page and inline of the product shares: the keys its forms are sent are
    checked as keys first (``key_usable``)."""

    def _checked(self, db_field: Any, request: HttpRequest, kwargs: dict[str, Any], widget: Any, field: Any) -> None:
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = widget(db_field, self.admin_site, using=kwargs.get("using"))
        kwargs.setdefault("form_class", field)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._checked(db_field, request, kwargs, CheckedAutocompleteSelect, CheckedModelChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._checked(db_field, request, kwargs, CheckedAutocompleteSelectMultiple, CheckedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ModelAdmin(KeysChecked, admin.ModelAdmin[_M]):
    """The product's admin page of a model."""


class TabularInline(KeysChecked, admin.TabularInline[_M, _P]):
    """The product's table of related records inside an admin page."""
