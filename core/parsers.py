"""The API's JSON parser: DRF's, with limits that hostile bodies cannot get past.

- nesting depth: json refuses nothing and recurses once per level, so 5,000 '[' raised
  RecursionError (a 500); anything deeper than MAX_DEPTH is a 400 here;
- numbers: 1e309 parsed to infinity and NaN/Infinity are not JSON; both are refused, so no
  field ever sees a number it cannot convert;
- size: bodies over DATA_UPLOAD_MAX_MEMORY_SIZE are refused (413) before parsing.
"""

from __future__ import annotations

import json
import math

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser, get_encoding

# Baton's API bodies are flat objects with a list or two; 32 levels is far beyond them.
MAX_DEPTH = 32


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is too large")
    return value


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _depth_exceeds(data, limit: int) -> bool:
    """True when `data` nests containers more than `limit` deep (iterative: no recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def loads_limited(raw: bytes | str, *, max_depth: int = MAX_DEPTH):
    """json.loads with Baton's limits; raises ValueError with a reason a person can read.
    Shared by the API parser and the WebSocket consumers."""
    try:
        data = json.loads(raw, parse_float=_finite_float, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError(f"the JSON is nested more than {max_depth} levels deep") from None
    if _depth_exceeds(data, max_depth):
        raise ValueError(f"the JSON is nested more than {max_depth} levels deep")
    return data


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = get_encoding(parser_context)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if stream is None:
            raw = b""
        else:
            raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge(f"The request body is larger than {limit} bytes.")
        try:
            return loads_limited(raw.decode(encoding))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
