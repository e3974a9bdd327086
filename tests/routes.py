"""The URL walk: every route the project has (ours, allauth's, the admin's, the API's), read
from the live URL configuration, with a concrete path built for each pattern. A new route is
walked automatically by every test that uses it (tests/site/test_url_walk.py proves default
deny with it; the junk-input, security-header and far-from-UTC tests visit every page)."""

from __future__ import annotations

import string
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

try:  # Python 3.11+: the regex parser lives here (sre_parse is deprecated)
    from re import _constants as sre
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover
    import sre_constants as sre
    import sre_parse

# --- building a concrete path for a pattern ---------------------------------------------------

# Characters tried, in order, for a character class: "x" for names and slugs, "1" for ids.
_PREFERRED = "x1a0-_." + string.ascii_letters + string.digits

_CATEGORIES = {
    sre.CATEGORY_DIGIT: str.isdigit,
    sre.CATEGORY_NOT_DIGIT: lambda c: not c.isdigit(),
    sre.CATEGORY_WORD: lambda c: c.isalnum() or c == "_",
    sre.CATEGORY_NOT_WORD: lambda c: not (c.isalnum() or c == "_"),
    sre.CATEGORY_SPACE: str.isspace,
    sre.CATEGORY_NOT_SPACE: lambda c: not c.isspace(),
}


def _in_class(items, char: str) -> bool:
    negate, hit = False, False
    for op, arg in items:
        if op is sre.NEGATE:
            negate = True
        elif op is sre.LITERAL:
            hit |= ord(char) == arg
        elif op is sre.RANGE:
            hit |= arg[0] <= ord(char) <= arg[1]
        elif op is sre.CATEGORY:
            hit |= _CATEGORIES[arg](char)
    return hit != negate


def _sample(parsed) -> str:
    """The simplest string the parsed regex matches (first branch, fewest repeats >= 1)."""
    out = []
    for op, arg in parsed:
        if op is sre.LITERAL:
            out.append(chr(arg))
        elif op is sre.NOT_LITERAL:
            out.append(next(c for c in _PREFERRED if ord(c) != arg))
        elif op is sre.ANY:
            out.append("x")
        elif op is sre.IN:
            out.append(next(c for c in _PREFERRED if _in_class(arg, c)))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
            low, high, sub = arg
            count = low if low > 0 else min(1, high)
            out.append(_sample(sub) * count)
        elif op is sre.SUBPATTERN:
            out.append(_sample(arg[-1]))
        elif op is getattr(sre, "ATOMIC_GROUP", None):
            out.append(_sample(arg))
        elif op is sre.BRANCH:
            out.append(_sample(arg[1][0]))
        elif op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue  # anchors and look-arounds consume nothing
        else:
            raise AssertionError(f"the URL walk cannot build a path for regex op {op!r}")
    return "".join(out)


def _piece(pattern) -> str:
    return _sample(sre_parse.parse(pattern.regex.pattern))


@dataclass(frozen=True)
class Route:
    path: str
    name: str | None
    callback: object
    route: str  # the pattern text, for messages


def all_routes() -> list[Route]:
    """Every URLPattern reachable from the root URLconf, with a concrete path for it."""
    routes: list[Route] = []

    def walk(patterns, prefix: str, text: str) -> None:
        for entry in patterns:
            piece = prefix + _piece(entry.pattern)
            label = text + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, piece, label)
            elif isinstance(entry, URLPattern):
                routes.append(Route("/" + piece, entry.name, entry.callback, label))

    walk(get_resolver().url_patterns, "", "")
    return routes


ROUTES = all_routes()
