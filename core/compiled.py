"""Querysets turned into SQL once per process, then run with each request's values.

Why: building a queryset and compiling it to SQL is pure Python that gives the same text every
time for the same shape; only the parameters change. On the dashboard, at 12,000 people and
with prepared statements on (core.pgcursor), compiling was close to half of the request
(docs/benchmarks.md). Django has no cache of compiled queries, so this is one, for the few
hot reads that take the same shape on every request.

    accountable = CompiledQuery(
        lambda person_id, now: Project.objects.filter(owner_id=person_id, stale_at__lte=now)
    )
    rows = accountable.fetch(person_id=user.pk, now=timezone.now())

How: the first call of a shape runs `build` with stand-in values (ints far below any id,
strings and instants nobody stores) and compiles it; the positions where each stand-in
landed among the statement's parameters are remembered. Later calls copy those parameters,
put the real values in their places, and run the remembered SQL through a copy of the
remembered compiler, so rows become model instances (select_related, annotations) exactly as
the ORM would make them; prefetch_related lookups run as usual afterwards.

Which values: ints, strings, dates and aware datetimes become stand-ins; a list, tuple or set
of ints becomes one stand-in per element, its length part of the shape (a list of anything
else runs uncompiled); anything else (booleans, None) is part of the shape and reaches
`build` as given, as do the values passed in `fixed` (a LIMIT).
A stand-in that does not appear verbatim among the parameters (a value folded into the SQL
text, or transformed by a lookup such as icontains) fails loudly at the first call: that
query cannot be compiled this way. An empty list makes the ORM skip the query, so it runs
uncompiled, as does a list longer than MAX_LIST (each length is a shape kept in memory); at
most MAX_SHAPES shapes are kept per query.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connections
from django.db.models import QuerySet

MAX_LIST = 64
# Shapes kept per query (each a compiled queryset, tens of kilobytes): past this, a new shape
# is compiled for the call and not kept, so lists of ever new lengths cannot grow a process.
MAX_SHAPES = 256
# Stand-ins: negative ids within 32 bits (Django leaves an out-of-range integer comparison
# out of the SQL), and instants and strings no row holds. Each value gets its own.
_INT_BASE = -1_900_000_000
_EPOCH = datetime(1901, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class _Entry:
    queryset: QuerySet  # as built with the stand-ins; cloned for each run, never evaluated
    compiler: Any
    sql: str
    params: tuple
    # (name, index within a list value or None, positions among the parameters, how the
    # value is sent)
    slots: tuple[tuple[str, int | None, tuple[int, ...], Callable], ...]


@dataclass(frozen=True)
class _Fixed:
    value: Any


def _plain(values: dict) -> dict:
    return {k: v.value if isinstance(v, _Fixed) else v for k, v in values.items()}


def _stand_in(kind: type, n: int):
    if kind is int:
        return _INT_BASE - n
    if kind is str:
        return f"\x1fstand-in {n}\x1f"
    if kind is datetime:
        return _EPOCH + timedelta(seconds=n)
    if kind is date:
        return date(1901, 1, 1) + timedelta(days=n)
    raise TypeError(kind)


def _as_given(value):
    return value


def _conversions(kind: type, connection) -> list[Callable]:
    if kind is datetime:
        return [_as_given, connection.ops.adapt_datetimefield_value]
    if kind is date:
        return [_as_given, connection.ops.adapt_datefield_value]
    return [_as_given]


def _kind(value) -> type | None:
    if isinstance(value, bool):
        return None
    for kind in (int, str, datetime, date):  # datetime before date: it is one
        if isinstance(value, kind):
            return kind
    return None


class CompiledQuery:
    """A queryset built by `build(**values)`, compiled once per shape and database."""

    def __init__(self, build: Callable[..., QuerySet]):
        self._build = build
        self._entries: dict[tuple, _Entry] = {}

    def fetch(self, *, using: str = "default", fixed: dict | None = None, **values) -> list:
        """The rows for `values`; `fixed` values (a LIMIT, a flag) are part of the shape and
        reach `build` as given."""
        values = {**values, **{name: _Fixed(value) for name, value in (fixed or {}).items()}}
        shape: list = [using]
        markers: dict[str, Any] = {}
        n = 0
        for name in sorted(values):
            value = values[name]
            if isinstance(value, _Fixed):
                markers[name] = value.value
                shape.append((name, "fixed", value.value))
            elif isinstance(value, list | tuple | set | frozenset):
                if not value or len(value) > MAX_LIST or any(_kind(v) is not int for v in value):
                    return list(self._build(**_plain(values)))
                value = values[name] = list(value)
                markers[name] = [_stand_in(int, n + i) for i in range(len(value))]
                n += len(value)
                shape.append((name, "list", len(value)))
            elif (kind := _kind(value)) is not None:
                markers[name] = _stand_in(kind, n)
                n += 1
                shape.append((name, kind.__name__))
            else:
                markers[name] = value
                shape.append((name, "value", value))
        key = tuple(shape)
        entry = self._entries.get(key)
        if entry is None:
            entry = self._compile(using, markers, values)
            if len(self._entries) < MAX_SHAPES:
                self._entries[key] = entry
        params = list(entry.params)
        for name, index, positions, convert in entry.slots:
            value = convert(values[name] if index is None else values[name][index])
            for position in positions:
                params[position] = value
        compiler = copy.copy(entry.compiler)
        compiler.connection = connections[using]
        sql = entry.sql
        compiler.as_sql = lambda *args, **kwargs: (sql, tuple(params))
        queryset = entry.queryset._chain()
        # This clone answers with that compiler only; it is iterated once and dropped.
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return list(queryset)

    def _compile(self, using: str, markers: dict, values: dict) -> _Entry:
        queryset = self._build(**markers).using(using)
        compiler = queryset.query.get_compiler(using=using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet as exc:
            raise ImproperlyConfigured(
                f"{self._build!r}: the stand-in values give no query to compile."
            ) from exc
        params = tuple(params)
        slots = []
        for name, marker in markers.items():
            if isinstance(values[name], _Fixed):
                continue
            if isinstance(values[name], list):
                pairs = [(i, m) for i, m in enumerate(marker)]
            elif _kind(values[name]) is not None:
                pairs = [(None, marker)]
            else:
                continue
            for index, stand_in in pairs:
                # As given, or as the backend adapts it (SQLite sends instants as text).
                for convert in _conversions(type(stand_in), connections[using]):
                    sent = convert(stand_in)
                    positions = tuple(
                        i for i, p in enumerate(params) if type(p) is type(sent) and p == sent
                    )
                    if positions:
                        break
                if not positions:
                    raise ImproperlyConfigured(
                        f"{self._build!r}: {name!r} does not reach the SQL's parameters as"
                        " given (folded into the text or transformed by a lookup), so this"
                        " query cannot be compiled once."
                    )
                slots.append((name, index, positions, convert))
        return _Entry(
            queryset=queryset, compiler=compiler, sql=sql, params=params, slots=tuple(slots)
        )
