"""Base pieces every app's API builds on: strict input serializers, JSON-typed input fields
(no coercion: a value of the right JSON type reaches the service as it came, and the service
stays the one place that validates it), instants rendered in UTC, and the validate-or-400 and
page helpers the views call."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

import orjson
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .permissions import require

# The largest id PostgreSQL's bigint (and SQLite's integer) holds: a larger one overflows the
# driver instead of simply matching nothing.
MAX_ID = 2**63 - 1


class FastJSONRenderer(JSONRenderer):
    """Every API answer's renderer (REST_FRAMEWORK's default): DRF's JSON renderer with orjson
    writing the text. The same JSON: anything orjson does not know, and every date and time,
    goes through DRF's encoder, so they read as DRF writes them; keys that are numbers become
    strings as with the standard library; compact UTF-8. In a tenth of the time: on call now's
    300 schedules (75 kB) were a seventh of its request. Differences, all valid JSON: U+2028
    and U+2029 are left unescaped (never pasted into a script), a NaN is null where DRF's
    strict renderer raised. Indented output (`Accept: application/json; indent=2`) and
    anything orjson refuses (an integer beyond 64 bits) are DRF's own."""

    _options = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None or self.get_indent(accepted_media_type, renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            return orjson.dumps(data, default=self.encoder_class().default, option=self._options)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)


def valid(serializer_class, data, **kwargs) -> dict:
    """The validated data of `data` (a body or query string), or a 400 naming each bad field."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def valid_in_team(serializer_class, request, perm: str) -> dict:
    """The validated body of something created in a team (its "team" field): the permission
    is the team's, so `perm` on that team is checked (a 403) before the other fields (a 400),
    as BodySerializer.valid_after does."""
    return serializer_class.valid_after(
        request.data, "team", lambda team: require(request.user, perm, team)
    )


def paged(view, queryset, serializer_class) -> Response:
    """One page of `queryset` by the view's pagination_class, each item rendered by
    `serializer_class` (the view's pagination_class is what drf-spectacular documents)."""
    paginator = view.pagination_class()
    page = paginator.paginate_queryset(queryset, view.request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


def results_of(item: type[serializers.Serializer], component_name: str):
    """The serializer of an unpaged list answer, {"results": [item, ...]}, named
    `component_name` in the schema."""
    attrs = {"results": item(many=True), "__module__": item.__module__}
    list_class = type(f"{component_name}Serializer", (serializers.Serializer,), attrs)
    return extend_schema_serializer(component_name=component_name)(list_class)


def one_of(values) -> str:
    """A choice field's help text: "One of: a, b, c."."""
    return "One of: " + ", ".join(values) + "."


def person_brief(user, *, country: bool = False) -> dict:
    """A person as an API names them: id, display name, zone (and country), active; from the
    user and its profile (a user without one reads as its username in UTC)."""
    profile = getattr(user, "profile", None)
    data = {
        "id": user.pk,
        "display_name": profile.display_name if profile else user.get_username(),
        "time_zone": profile.time_zone if profile else "UTC",
    }
    if country:
        data["country"] = profile.country if profile else ""
    data["is_active"] = user.is_active
    return data


def iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


class InstantField(serializers.DateTimeField):
    """An instant as ISO-8601 in UTC ending in "Z" (DRF's own would use the active zone)."""

    def to_representation(self, value):
        return iso(value)


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object's id, which must be a JSON integer: Django would read 1.5 as 1, and
    1e309 or an id beyond 64 bits would overflow the driver. With `message`, that one message
    for every way it can be wrong (missing, null, not an id, no such object)."""

    def __init__(self, *, message: str = "", **kwargs):
        if message:
            kwargs["error_messages"] = {
                "required": message,
                "null": message,
                "incorrect_type": message,
                "does_not_exist": message,
                **kwargs.get("error_messages", {}),
            }
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 1 <= data <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not know, so a typo is a 400 rather than a silent no-op."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            _refuse_unknown(data, self.fields)
        return super().to_internal_value(data)


def _refuse_unknown(data: Mapping, fields) -> None:
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise serializers.ValidationError(
            {name: ["Unknown field; it cannot be set here."] for name in unknown}
        )


# --- input fields: JSON types, no coercion ----------------------------------------------------


class JsonStringField(serializers.CharField):
    """A JSON string, passed on as sent (not trimmed, blank allowed): the service cleans it."""

    default_error_messages = {"invalid": "Must be a string."}

    def __init__(self, **kwargs):
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return data


class JsonChoiceField(serializers.ChoiceField):
    """A JSON string documented with its choices; the service says which are allowed."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return data


class JsonIntegerField(serializers.IntegerField):
    """A JSON integer (never a boolean or a float). With digit_strings, also a string of
    digits such as "5", read as the services read a whole number."""

    def __init__(self, *, digit_strings: bool = False, **kwargs):
        self.digit_strings = digit_strings
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            if not (self.digit_strings and isinstance(data, str)):
                self.fail("invalid")
            if len(data) > self.MAX_STRING_LENGTH:
                self.fail("max_string_length")
            text = data.strip()
            digits = text[1:] if text.startswith("-") else text
            if not digits.isdecimal():
                self.fail("invalid")
            return int(text)
        return data


class JsonIdField(JsonIntegerField):
    """An object's id as a JSON integer; whether it names something is the service's check.
    With `message`, that one message for whatever is not an id."""

    def __init__(self, *, message: str = "", **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        if message:
            kwargs["error_messages"] = {
                "invalid": message,
                "min_value": message,
                "max_value": message,
                **kwargs.get("error_messages", {}),
            }
        super().__init__(**kwargs)


class JsonBooleanField(serializers.BooleanField):
    """true or false only (DRF's own also reads "yes", 1 and "on")."""

    default_empty_html = empty  # a form leaving it out does not mean false

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


# --- request bodies ---------------------------------------------------------------------------


NOT_AN_OBJECT = {"detail": ["Send a JSON object."]}


class BodySerializer(StrictSerializer):
    # A request body: a JSON object (anything else is a 400 naming "detail") whose keys are
    # all known. (A comment, not a docstring: the schema would show it for every body.)

    def run_validation(self, data=empty):
        if data is not empty and not isinstance(data, Mapping):
            raise serializers.ValidationError(NOT_AN_OBJECT)
        return super().run_validation(data)

    @classmethod
    def known_keys(cls, data) -> Mapping:
        """Only what is checked before a permission that depends on the body: a JSON object
        with no unknown key (the whole validation comes after the permission check)."""
        if not isinstance(data, Mapping):
            raise serializers.ValidationError(NOT_AN_OBJECT)
        _refuse_unknown(data, cls().fields)
        return data

    @classmethod
    def validated_field(cls, data: Mapping, name: str):
        """One field of `data` validated alone (a 400 naming it)."""
        field = cls().fields[name]
        try:
            return field.run_validation(field.get_value(data))
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({name: exc.detail}) from None

    @classmethod
    def valid_after(cls, data, first: str, check: Callable[[object], None]) -> dict:
        """The validated body, for a permission that depends on one of its fields: unknown keys
        and the field `first` are checked (a 400), then check(its value) (a 403 where it
        refuses), and only then the other fields (a 400)."""
        body = cls.known_keys(data)
        check(cls.validated_field(body, first))
        return valid(cls, body)
