"""The time-zone and country catalogue (pytz serves the catalogue only; arithmetic uses
zoneinfo). Pure functions, cached: the lists never change while a process runs."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

import pytz


@lru_cache(maxsize=1)
def valid_zone_names() -> frozenset[str]:
    # Everything zoneinfo can load is accepted (old aliases too); pickers offer common ones.
    return frozenset(available_timezones()) | frozenset(pytz.common_timezones)


def is_valid_zone(name: str) -> bool:
    return isinstance(name, str) and name in valid_zone_names() and name != "localtime"


def zone_error(name: str) -> str:
    return (
        f"'{name}' is not an IANA time zone. Use a name such as Europe/London or "
        "America/Sao_Paulo (the list is pytz.common_timezones)."
    )


def is_valid_country(code: str) -> bool:
    return isinstance(code, str) and code.upper() in pytz.country_names


def country_name(code: str) -> str:
    return pytz.country_names.get(code.upper(), code)


@lru_cache(maxsize=1)
def zone_choices_by_country() -> list[tuple[str, list[tuple[str, str]]]]:
    """[(country name, [(zone, label), ...]), ...] for a grouped <select>."""
    common = set(pytz.common_timezones)
    groups = []
    for code, name in sorted(pytz.country_names.items(), key=lambda item: item[1]):
        zones = [z for z in pytz.country_timezones.get(code, []) if z in common]
        if zones:
            groups.append((name, [(z, z.replace("_", " ")) for z in zones]))
    groups.append(("Other", [("UTC", "UTC")]))
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
