"""API token scopes: read or write per area. Pure data."""

AREAS = (
    "people",
    "teams",
    "schedules",
    "projects",
    "handoffs",
    "escalations",
    "chat",
    "notifications",
)
SCOPES = tuple(f"{area}:{mode}" for area in AREAS for mode in ("read", "write"))


def validate_scopes(values) -> list[str]:
    """Return the sorted, de-duplicated scopes or raise ValueError naming the bad ones."""
    if isinstance(values, str):
        values = [v for v in values.split(",")]
    cleaned = sorted({str(v).strip() for v in values if str(v).strip()})
    if not cleaned:
        raise ValueError("Give at least one scope, e.g. people:read.")
    unknown = [v for v in cleaned if v not in SCOPES]
    if unknown:
        raise ValueError(
            f"Unknown scope(s): {', '.join(unknown)}. Valid scopes: {', '.join(SCOPES)}."
        )
    return cleaned


def allows(scopes: list[str], area: str, write: bool) -> bool:
    if write:
        return f"{area}:write" in scopes
    return f"{area}:read" in scopes or f"{area}:write" in scopes
