"""Checks an API answer against its OpenAPI schema, property by property (the schema tests of
each app use it): every key documented, every required key there, null only where nullable,
JSON types as documented, and over a run which documented properties were never returned."""

from __future__ import annotations

import re
from collections import defaultdict

METHODS = {"get", "post", "put", "patch", "delete"}
JSON_TYPES = {
    "integer": int,
    "number": (int, float),
    "string": str,
    "boolean": bool,
    "array": list,
    "object": dict,
}


def operations(schema, urlpatterns) -> set[tuple[str, str]]:
    """(method, schema path) of every operation the schema documents under `urlpatterns` (an
    app's api_urls: "schedules/<id:schedule_id>/" is "/api/v1/schedules/{schedule_id}/")."""
    paths = {
        "/api/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))
        for pattern in urlpatterns
    }
    return {
        (method, path) for path in paths for method in schema["paths"][path] if method in METHODS
    }


class Checker:
    """Walks answers beside their schemas; remembers which properties each component showed."""

    def __init__(self, schema):
        self.components = schema["components"]["schemas"]
        self.seen: dict[str, set[str]] = defaultdict(set)
        self.documented: dict[str, set[str]] = {}

    def check(self, value, node, where: str, component: str | None = None) -> None:
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[1]
            return self.check(value, self.components[name], where, name)
        if "allOf" in node and len(node["allOf"]) == 1:  # a nullable $ref
            if value is None:
                assert node.get("nullable"), f"{where}: null, but not documented as nullable"
                return None
            return self.check(value, node["allOf"][0], where)
        if value is None:
            assert node.get("nullable"), f"{where}: null, but not documented as nullable"
            return None
        kind = node.get("type")
        assert kind in JSON_TYPES, f"{where}: schema without a type: {node}"
        expected = JSON_TYPES[kind]
        assert isinstance(value, expected) and (kind == "boolean") == isinstance(value, bool), (
            f"{where}: {value!r} is not a JSON {kind}"
        )
        if kind == "array":
            for i, item in enumerate(value):
                self.check(item, node["items"], f"{where}[{i}]")
        elif kind == "object" and "properties" in node:
            properties = node["properties"]
            keys = set(value)
            assert keys <= set(properties), (
                f"{where}: returned but not documented: {sorted(keys - set(properties))}"
            )
            missing = set(node.get("required", [])) - keys
            assert not missing, f"{where}: documented as required but not returned: {missing}"
            if component is not None:
                self.documented[component] = set(properties)
                self.seen[component] |= keys
            for key in keys:
                self.check(value[key], properties[key], f"{where}.{key}")
        return None

    def walk(self, schema, calls) -> None:
        """Make each call, (method, schema path, client, URL or a callable giving it, JSON body
        or None), and check its answer."""
        for method, path, client, url, body in calls:
            url = url() if callable(url) else url
            if body is None:
                response = getattr(client, method)(url)
            else:
                response = getattr(client, method)(url, body, content_type="application/json")
            self.response(schema, method, path, response)

    def response(self, schema, method: str, path: str, response) -> None:
        where = f"{method.upper()} {path} -> {response.status_code}"
        documented = schema["paths"][path][method]["responses"]
        assert str(response.status_code) in documented, f"{where}: status not documented"
        assert 200 <= response.status_code < 300, f"{where}: {response.content[:300]!r}"
        content = documented[str(response.status_code)].get("content")
        if content is None:
            assert response.content == b"", f"{where}: a body, but none is documented"
            return
        self.check(response.json(), content["application/json"]["schema"], where)

    def never_seen(self) -> dict[str, set[str]]:
        return {
            name: props - self.seen[name]
            for name, props in self.documented.items()
            if props - self.seen[name]
        }
