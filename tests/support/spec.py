"""The official OpenAPI spec, as a validator for what the client sends and the sandbox answers."""

from __future__ import annotations

import functools
import gzip
import re
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

# OpenAI's official spec, gzipped byte for byte (see openapi/SOURCE.md for its origin and sha256).
SPEC_PATH = Path(__file__).resolve().parents[1] / "openapi" / "openai-openapi.yaml.gz"
_ROOT = "urn:openai-openapi"


def _fix_nullable(node: Any) -> Any:
    """OpenAPI 3.0's `nullable: true` -> `anyOf: [schema, {type: null}]` (the file mixes both)."""
    if isinstance(node, dict):
        node = _nullable_all_of(node)
        node = {k: _fix_nullable(v) for k, v in node.items()}
        if node.get("exclusiveMinimum") is True:  # 3.0's boolean form -> 2020-12's number
            node["exclusiveMinimum"] = node.pop("minimum")
        if node.pop("nullable", False) is True:
            return {"anyOf": [node, {"type": "null"}]}
        return node
    if isinstance(node, list):
        return [_fix_nullable(v) for v in node]
    return node


def _nullable_all_of(node: dict[str, Any]) -> dict[str, Any]:
    """`allOf: [X, {nullable: true}]` (the file's way to say "X or null") -> X or null.

    Read item by item, the marker cannot make X accept null, so null would fail where the
    spec allows it (an update's `expires_after: null`).
    """
    items = node.get("allOf")
    if not isinstance(items, list):
        return node
    markers = [i for i in items if isinstance(i, dict) and i.get("nullable") is True and "$ref" not in i]
    if not markers or not all(set(m) <= {"nullable", "description"} for m in markers):
        return node
    rest = {k: v for k, v in node.items() if k != "allOf"}
    kept = [i for i in items if i not in markers]
    return {**rest, "anyOf": [{"allOf": kept}, {"type": "null"}]}


def _fix_recursive_refs(schemas: dict[str, Any]) -> None:
    """2019-09's `$recursiveRef: "#"` -> a `$ref` to the schema that holds `$recursiveAnchor`.

    A 2020-12 validator ignores `$recursiveRef`, which leaves an empty schema in a `oneOf`:
    every nested filter then matches two branches and fails, and any junk passes.
    """
    for name, schema in schemas.items():
        if isinstance(schema, dict) and schema.pop("$recursiveAnchor", False):
            _replace_recursive_ref(schema, f"#/components/schemas/{name}")


def _replace_recursive_ref(node: Any, target: str) -> None:
    if isinstance(node, dict):
        if node.get("$recursiveRef") == "#":
            del node["$recursiveRef"]
            node["$ref"] = target
        for value in node.values():
            _replace_recursive_ref(value, target)
    elif isinstance(node, list):
        for value in node:
            _replace_recursive_ref(value, target)


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


class Spec:
    def __init__(self, path: Path = SPEC_PATH) -> None:
        with gzip.open(path, "rb") as handle:
            document = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        self.document = _fix_nullable(document)
        _fix_recursive_refs(self.document["components"]["schemas"])
        resource = Resource.from_contents(self.document, default_specification=DRAFT202012)
        self.registry = Registry().with_resource(_ROOT, resource)
        self._templates = [
            (re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", t) + "$"), t) for t in self.document["paths"]
        ]

    def template(self, path: str) -> str:
        """The spec's path template for a concrete path (`/models/gpt-4o` -> `/models/{model}`)."""
        path = "/" + path.lstrip("/")
        exact = [t for regex, t in self._templates if t == path]
        if exact:
            return exact[0]
        matches = [t for regex, t in self._templates if regex.match(path)]
        if not matches:
            raise KeyError(f"no path in the spec matches {path}")
        return min(matches, key=lambda t: t.count("{"))  # prefer the most literal template

    def _validator(self, *pointer: str) -> jsonschema.Draft202012Validator:
        schema = {"$ref": f"{_ROOT}#/{_pointer(*pointer)}"}
        return jsonschema.Draft202012Validator(schema, registry=self.registry)

    def validate_request(
        self, method: str, path: str, body: Any, content_type: str = "application/json"
    ) -> None:
        """Raise jsonschema.ValidationError unless `body` fits the operation's request schema."""
        template = self.template(path)
        self._validator(
            "paths", template, method.lower(), "requestBody", "content", content_type, "schema"
        ).validate(body)

    def validate_multipart(
        self, method: str, path: str, fields: dict[str, Any], files: dict[str, list[Any]]
    ) -> None:
        """A multipart body: text fields read as the types the spec declares, each file part a binary string.

        A multipart body only carries text, so "2" is checked as the 2 the server reads from it.
        """
        schema = self._resolve(
            self.operation(method, path)["requestBody"]["content"]["multipart/form-data"]["schema"]
        )
        properties = schema.get("properties", {})
        instance = {name: _typed(value, properties.get(name, {})) for name, value in fields.items()}
        for name, parts in files.items():
            declared = properties.get(name, {})
            is_array = declared.get("type") == "array" or any(
                option.get("type") == "array" for option in declared.get("anyOf", declared.get("oneOf", []))
            )
            instance[name] = (
                ["<binary>"] * len(parts)
                if (is_array and len(parts) > 1) or (is_array and not _allows_single(declared))
                else "<binary>"
            )
        self.validate_request(method, path, instance, "multipart/form-data")

    def validate_response(
        self, method: str, path: str, body: Any, status: int = 200, content_type: str = "application/json"
    ) -> None:
        template = self.template(path)
        self._validator(
            "paths", template, method.lower(), "responses", str(status), "content", content_type, "schema"
        ).validate(body)

    def response_errors(
        self, method: str, path: str, body: Any, status: int = 200, content_type: str = "application/json"
    ) -> list[jsonschema.ValidationError]:
        """Every way `body` misses the operation's response schema (empty when it fits)."""
        template = self.template(path)
        validator = self._validator(
            "paths", template, method.lower(), "responses", str(status), "content", content_type, "schema"
        )
        return list(validator.iter_errors(body))

    def validate_schema(self, name: str, instance: Any) -> None:
        """Validate against `components/schemas/<name>` (e.g. stream chunks)."""
        self._validator("components", "schemas", name).validate(instance)

    def operation(self, method: str, path: str) -> dict[str, Any]:
        return self.document["paths"][self.template(path)][method.lower()]

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        ref = schema.get("$ref")
        if not ref:
            return schema
        node: Any = self.document
        for part in ref.lstrip("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node


def _typed(value: Any, declared: dict[str, Any]) -> Any:
    """A multipart text value as the JSON type its schema declares ("2" -> 2 for an integer)."""
    kinds = {declared.get("type")} | {option.get("type") for option in declared.get("anyOf", [])}
    if isinstance(value, str) and "integer" in kinds:
        return int(value)
    if isinstance(value, str) and "number" in kinds:
        return float(value)
    if isinstance(value, str) and "boolean" in kinds:
        return value == "true"
    return value


def _allows_single(declared: dict[str, Any]) -> bool:
    options = declared.get("anyOf", declared.get("oneOf", []))
    return any(option.get("type") != "array" for option in options)


@functools.lru_cache(maxsize=1)
def load_spec() -> Spec:
    return Spec()
