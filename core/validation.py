"""The shapes of cleaning rule every app's validation.py repeats: a trimmed text with a length
limit, one of a set of choices, a date, a whole number in a range, a slug, a list of links.

Each takes the raw value (from a form, a JSON body or a CSV cell), returns the cleaned one and
raises ValidationError({field: message}) with a message a person can act on; `what` names the
thing in that message ("A project name", "A goal title"). Pure: no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.text import slugify


def text_of(value: object) -> str:
    return "" if value is None else str(value).strip()


def pk_of(value: object) -> int | None:
    """An id from a model instance, an int or a digit string (what services take for a row);
    None for anything else (a bool, a float, junk)."""
    pk = getattr(value, "pk", value)
    if isinstance(pk, bool):
        return None
    if isinstance(pk, int):
        return pk
    if isinstance(pk, str) and pk.strip().isdigit() and len(pk.strip()) <= 18:
        return int(pk.strip())
    return None


def invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def shown(value: object, limit: int = 40) -> str:
    """A value quoted back in a message, cut so a huge paste does not become the message."""
    text = text_of(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def clean_text(
    value: object, *, field: str, what: str, max_length: int, required: bool = False
) -> str:
    text = text_of(value)
    if required and not text:
        raise invalid(field, f"{what} is required.")
    if len(text) > max_length:
        raise invalid(field, f"{what} has at most {max_length:,} characters.")
    return text


def clean_choice(value: object, *, field: str, what: str, choices: Iterable[str]) -> str:
    choice = text_of(value)
    choices = list(choices)
    if choice not in choices:
        raise invalid(field, f"'{shown(choice, 20)}' is not {what} ({', '.join(choices)}).")
    return choice


# What a person types as a number: ASCII digits only. int() and Decimal() also read "1_000"
# and other scripts' digits ("١٢"), which no form should take for a number.
_INTEGER_RE = re.compile(r"[+-]?[0-9]+")
_DECIMAL_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def clean_int(value: object, *, field: str, what: str, low: int, high: int) -> int:
    """A whole number in [low, high]; refuses booleans and fractions (1.5, "2.0")."""
    message = f"{what} is a whole number from {low} to {high}."
    if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
        raise invalid(field, message)
    if isinstance(value, int | float):
        number = int(value)
    else:
        text = text_of(value)
        if not _INTEGER_RE.fullmatch(text):
            raise invalid(field, message)
        number = int(text)
    if not low <= number <= high:
        raise invalid(field, message)
    return number


def clean_date(value: object, *, field: str, what: str) -> date | None:
    """A date, an ISO "YYYY-MM-DD" text, or None for blank."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):  # a date field given an instant: its (own zone's) date
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(text_of(value))
    except ValueError:
        raise invalid(field, f"{what} is a date like 2027-03-31.") from None


def clean_decimal(
    value: object, *, field: str, what: str, max_digits: int = 14, places: int = 2
) -> Decimal | None:
    """A number with at most `places` decimals and `max_digits` digits, or None for blank."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise invalid(field, f"{what} is a number.")
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    else:
        text = text_of(value)
        if isinstance(value, float):
            text = repr(value)
        elif not _DECIMAL_RE.fullmatch(text):
            raise invalid(field, f"{what} is a number.")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise invalid(field, f"{what} is a number.") from None
    if not number.is_finite():
        raise invalid(field, f"{what} is a number.")
    # The size first: quantize() below raises InvalidOperation on a number too long for the
    # context's precision (a 500 instead of a message).
    if abs(number) >= Decimal(10) ** (max_digits - places):
        raise invalid(field, f"{what} is below {10 ** (max_digits - places):,}.")
    if number.as_tuple().exponent < -places and number != number.quantize(
        Decimal(1).scaleb(-places)
    ):
        raise invalid(field, f"{what} has at most {places} decimals.")
    return number


def clean_slug(value: object, *, field: str = "slug", max_length: int) -> str:
    """A slug given by hand: lowercase letters, digits, hyphens (upper case is lowered)."""
    given = text_of(value)
    if not given:
        raise invalid(field, "A slug is required.")
    slug = given.lower()
    if slugify(given) != slug:
        example = slugify(given)[:max_length] or "my-slug"
        raise invalid(
            field,
            f"'{shown(given)}' is not a slug: use lowercase letters, digits and hyphens "
            f"(e.g. '{example}').",
        )
    if len(slug) > max_length:
        raise invalid(field, f"A slug has at most {max_length} characters.")
    return slug


_url_validator = URLValidator(schemes=["http", "https"])
MAX_LINKS = 20
LINK_URL_MAX = 500
LINK_TITLE_MAX = 120


def clean_links(value: object, *, field: str = "links") -> list[dict[str, str]]:
    """A list of {"title", "url"} (http/https only), or lines of text "title url" / "url"."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        items = []
        for line in value.splitlines():
            parts = line.strip().rsplit(None, 1)
            if not parts:
                continue
            url = parts[-1]
            items.append({"title": parts[0] if len(parts) == 2 else "", "url": url})
    elif isinstance(value, list):
        items = value
    else:
        raise invalid(field, 'Links are a list of {"title": ..., "url": ...}.')
    if len(items) > MAX_LINKS:
        raise invalid(field, f"At most {MAX_LINKS} links.")
    links = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict) or set(item) - {"title", "url"}:
            raise invalid(field, f'Link {n} is not {{"title": ..., "url": ...}}.')
        title, url = text_of(item.get("title")), text_of(item.get("url"))
        if len(title) > LINK_TITLE_MAX:
            raise invalid(field, f"Link {n}: a title has at most {LINK_TITLE_MAX} characters.")
        if len(url) > LINK_URL_MAX:
            raise invalid(field, f"Link {n}: a URL has at most {LINK_URL_MAX} characters.")
        try:
            _url_validator(url)
        except ValidationError:
            raise invalid(
                field, f"Link {n}: '{shown(url)}' is not an http(s) URL (https://...)."
            ) from None
        links.append({"title": title, "url": url})
    return links


def delete_or_refuse(obj, *, field: str, what: str) -> None:
    """Delete `obj`, or refuse with a ValidationError on `field` when rows of an app above keep
    it (on_delete=PROTECT: a project's urgent updates, a team's projects), naming them so the
    person moves or closes them first. Nothing is deleted then (a savepoint)."""
    from django.db import transaction
    from django.db.models import ProtectedError

    try:
        with transaction.atomic():
            obj.delete()
    except ProtectedError as exc:
        kinds = sorted({str(row._meta.verbose_name_plural) for row in exc.protected_objects})
        raise invalid(
            field, f"This {what} still has {', '.join(kinds)}: move or delete them first."
        ) from None
