"""OpenAPI post-processing: document the error answers every endpoint can give.

drf-spectacular documents the success answer of each operation; the errors come from shared
machinery (validation, authentication, rules permissions, token scopes, throttling), so they
are added here, once, to every operation that does not describe them itself.
"""

from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "`detail` for a whole-request error, or one entry per bad field (a list of messages), "
        'e.g. `{"time_zone": ["\'Europe/Londn\' is not a time zone we know. '
        'Did you mean Europe/London?"]}`.'
    ),
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}

_ERRORS = {
    "400": "Bad input: nothing was changed; the body names each bad field.",
    "401": "No credentials, or a token that is unknown, expired or revoked.",
    "403": "Not allowed: a permission rule, the token's scopes, or a missing re-authentication.",
    "406": "The Accept header asks for something other than JSON.",
    "429": "Too many requests for this token or person; retry after the Retry-After header.",
}
_UNSUPPORTED_BODY = "The body is not JSON (or form data, as the operation lists)."
_NOT_FOUND = "No such object, or one you may not see."


def document_error_responses(result, generator, request, public):
    """POSTPROCESSING_HOOKS entry: add the shared error responses and the Error schema."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            errors = dict(_ERRORS)
            if "{" in path:
                errors["404"] = _NOT_FOUND
            if method in {"post", "put", "patch"}:
                errors["415"] = _UNSUPPORTED_BODY
            for code, description in errors.items():
                responses.setdefault(code, {"description": description, "content": reference})
    return result
