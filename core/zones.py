"""The time-zone and country catalogue (pytz serves the catalogue only; arithmetic uses
zoneinfo). Pure functions, cached: the lists never change while a process runs."""

from __future__ import annotations

import difflib
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

import pytz


@lru_cache(maxsize=1)
def valid_zone_names() -> frozenset[str]:
    # Everything zoneinfo can load is accepted (old aliases too); pickers offer common ones.
    return frozenset(available_timezones()) | frozenset(pytz.common_timezones)


def is_valid_zone(name: str) -> bool:
    return isinstance(name, str) and name in valid_zone_names() and name != "localtime"


def closest_zone(name: str) -> str | None:
    """The common zone nearest to a mistyped one ('Europe/Londn' -> 'Europe/London'), by
    difflib over pytz.common_timezones, case and spaces ignored; a bare city ('manila') is
    matched against the zones' cities. None when nothing is close."""
    text = (name or "").strip()[:64].replace(" ", "_").lower()
    if not text:
        return None
    by_lower = _common_by_lower()
    found = difflib.get_close_matches(text, list(by_lower), n=1, cutoff=0.75)
    if found:
        return by_lower[found[0]]
    by_city = _common_by_city()
    found = difflib.get_close_matches(text.rsplit("/", 1)[-1], list(by_city), n=1, cutoff=0.85)
    return by_city[found[0]] if found else None


@lru_cache(maxsize=1)
def _common_by_lower() -> dict[str, str]:
    return {z.lower(): z for z in pytz.common_timezones}


@lru_cache(maxsize=1)
def _common_by_city() -> dict[str, str]:
    # The first zone of a city name wins (a city name is nearly always one zone).
    out: dict[str, str] = {}
    for z in pytz.common_timezones:
        out.setdefault(z.rsplit("/", 1)[-1].lower(), z)
    return out


def zone_error(name: str) -> str:
    """The message for a zone we do not know, in plain words, with the nearest one if any."""
    shown = name if len(name) <= 64 else name[:61] + "..."
    suggestion = closest_zone(name)
    if suggestion:
        return f"'{shown}' is not a time zone we know. Did you mean {suggestion}?"
    return (
        f"'{shown}' is not a time zone we know. Use a region and city name such as "
        "Europe/London or America/Sao_Paulo."
    )


def is_valid_country(code: str) -> bool:
    return isinstance(code, str) and code.upper() in pytz.country_names


def country_name(code: str) -> str:
    return pytz.country_names.get(code.upper(), code)


@lru_cache(maxsize=1)
def zone_choices_by_country() -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """[(country name, [(zone, label), ...]), ...] for a grouped <select>."""
    common = set(pytz.common_timezones)
    groups = []
    for code, name in sorted(pytz.country_names.items(), key=lambda item: item[1]):
        zones = [z for z in pytz.country_timezones.get(code, []) if z in common]
        if zones:
            groups.append((name, tuple((z, z.replace("_", " ")) for z in zones)))
    groups.append(("Other", (("UTC", "UTC"),)))
    return groups


@lru_cache(maxsize=1)
def country_choices() -> list[tuple[str, str]]:
    return sorted(pytz.country_names.items(), key=lambda item: item[1])


@lru_cache(maxsize=1)
def zones_for_country() -> dict[str, list[str]]:
    return {code: list(zones) for code, zones in pytz.country_timezones.items()}


@lru_cache(maxsize=4096)
def zoneinfo(name: str) -> ZoneInfo:
    return ZoneInfo(name)
