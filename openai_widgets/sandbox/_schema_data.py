"""JSON that fits a JSON schema, made from the schema and the prompt: structured outputs and tool arguments.

`instance(schema, prompt)` walks the schema and builds one value that validates against
it, the same value every time. Where the prompt says something the value uses it:

- counts: the first array (outside any other array) has as many items as the prompt asks
  for ("three cities" -> 3), else 3; arrays inside arrays have 2; both kept within
  minItems/maxItems;
- named values: a field whose name the prompt writes before a value takes it
  ("age 36", "city: Paris", "subject 'Hi'");
- other values in order: the top-level object's text fields take the prompt's quoted
  strings and capitalised names, its number fields the prompt's numbers; each item of an
  array takes one name for its first text field;
- enums take the value the prompt mentions (items of an array cycle through the values).

Strings are labelled "[sandbox] ..." (`labelled=False` for tool arguments, whose values go
to the caller's code as they are; made-up values there are still labelled). Formats
(date, date-time, time, email, uri, uuid, ipv4, hostname), string lengths, patterns (by a
few candidates), number bounds and multipleOf, nullable types and unions (the first
non-null branch; null where recursion must stop), allOf, const, prefixItems and local
`$ref`s (`#/$defs/...`, `#/definitions/...`, `#`) are honoured.

`strict_problem(schema)` says, in OpenAI's words, why a schema is not valid for strict
mode (every object closed with additionalProperties false and all its keys required).
"""

from __future__ import annotations

import math
import re
import uuid
from typing import Any

from ._prompt_words import PromptValues, count_and_noun, named_value, singular, values_in

__all__ = ["instance", "strict_problem"]

MAX_DEPTH = 8  # deeper than this, recursive schemas take their null or empty branch
GIVE_UP_DEPTH = 64  # a schema with no way to end (a required, non-null self-reference)
DEFAULT_COUNT = 3  # items in the outermost array when the prompt gives no count
INNER_COUNT = 2  # items in an array inside an array
_PATTERN_CANDIDATES = ("sandbox", "a", "A", "0", "1", "abc", "ABC", "a1", "sandbox-1", "sandbox_1", "AB12")


def instance(
    schema: Any, prompt: str = "", *, name: str = "value", labelled: bool = True, skip: tuple[str, ...] = ()
) -> Any:
    """One value valid against `schema`, made from it and from `prompt` (see the module doc)."""
    return _Maker(schema, prompt, labelled, skip).make(schema, name)


class _Maker:
    def __init__(self, root: Any, prompt: str, labelled: bool, skip: tuple[str, ...]) -> None:
        self.root = root
        self.prompt = prompt
        self.labelled = labelled
        # In labelled answers a count ("three cities") sizes an array; tool arguments keep it as a value.
        self.values: PromptValues = values_in(prompt, skip=skip, skip_count=labelled)
        self.count, _ = count_and_noun(prompt)

    # -- dispatch ----------------------------------------------------------------------

    def make(
        self, schema: Any, name: str, *, index: int = 0, arrays: int = 0, depth: int = 0, lead: bool = True
    ) -> Any:
        """`arrays`: how many arrays enclose this value; `lead`: it may take a prompt value."""
        if schema is True or not isinstance(schema, dict):
            return self.text(name, index, arrays, lead)
        if depth > GIVE_UP_DEPTH:
            return None
        schema = self.flatten(schema, depth)
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return self.enum(schema["enum"], index, arrays)
        kind = self.kind(schema, depth)
        if kind == "object":
            return self.object(schema, index=index, arrays=arrays, depth=depth, lead=lead)
        if kind == "array":
            return self.array(schema, name, index=index, arrays=arrays, depth=depth, lead=lead)
        if kind == "integer":
            return self.integer(schema, name, index, arrays, lead)
        if kind == "number":
            return self.number(schema, name, index, arrays, lead)
        if kind == "boolean":
            return index % 2 == 0
        if kind == "null":
            return None
        return self.string(schema, name, index, arrays, lead)

    def flatten(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        """The schema with `$ref`, `allOf` and the chosen `anyOf`/`oneOf` branch merged in."""
        for _ in range(MAX_DEPTH):
            if "$ref" in schema:
                rest = {k: v for k, v in schema.items() if k != "$ref"}
                schema = {**self.resolve(schema["$ref"]), **rest}
            elif schema.get("allOf"):
                schema = _merge([{k: v for k, v in schema.items() if k != "allOf"}, *schema["allOf"]])
            elif schema.get("anyOf") or schema.get("oneOf"):
                key = "anyOf" if schema.get("anyOf") else "oneOf"
                rest = {k: v for k, v in schema.items() if k != key}
                schema = {**rest, **self.branch(schema[key], depth)}
            else:
                break
        return schema

    def branch(self, options: list[Any], depth: int) -> dict[str, Any]:
        """The first non-null option; the null one when deep (recursion has to end somewhere)."""
        options = [o if isinstance(o, dict) else {} for o in options]
        nulls = [o for o in options if o.get("type") == "null"]
        others = [o for o in options if o.get("type") != "null"]
        if nulls and (depth >= MAX_DEPTH or not others):
            return nulls[0]
        return others[0]

    def resolve(self, ref: str) -> dict[str, Any]:
        if not ref.startswith("#"):
            return {}  # remote references are not followed: any value will do
        node: Any = self.root
        for part in [p for p in ref[1:].split("/") if p]:
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                return {}
            node = node[part]
        return node if isinstance(node, dict) else {}

    def kind(self, schema: dict[str, Any], depth: int) -> str:
        kind = schema.get("type")
        if isinstance(kind, list):
            concrete = [k for k in kind if k != "null"]
            if not concrete or ("null" in kind and depth >= MAX_DEPTH):
                return "null"
            kind = concrete[0]
        if isinstance(kind, str):
            return kind
        if "properties" in schema or "required" in schema:
            return "object"
        if "items" in schema or "prefixItems" in schema:
            return "array"
        if any(k in schema for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")):
            return "number"
        return "string"

    # -- containers --------------------------------------------------------------------

    def object(self, schema: dict[str, Any], *, index: int, arrays: int, depth: int, lead: bool) -> dict:
        properties = schema.get("properties") or {}
        result: dict[str, Any] = {}
        taken = False  # in an array item only the first text field takes a prompt value
        for key, sub in properties.items():
            may_take = lead and (arrays == 0 or not taken)
            value = self.make(sub, key, index=index, arrays=arrays, depth=depth + 1, lead=may_take)
            taken = taken or isinstance(value, str)
            result[key] = value
        for key in schema.get("required") or []:
            if key not in result:
                result[key] = self.text(key, index, arrays, False)
        return result

    def array(
        self, schema: dict[str, Any], name: str, *, index: int, arrays: int, depth: int, lead: bool
    ) -> list:
        wanted = (self.count or DEFAULT_COUNT) if arrays == 0 else INNER_COUNT
        if depth >= MAX_DEPTH:
            wanted = 0
        prefix = schema.get("prefixItems") or []
        items = schema.get("items", {})
        if items is False:
            wanted = min(wanted, len(prefix))
        low = int(schema.get("minItems", 0))
        high = schema.get("maxItems")
        count = max(low, wanted if high is None else min(wanted, int(high)))
        item_schema = self.flatten(items, depth) if isinstance(items, dict) else items
        if schema.get("uniqueItems") and isinstance(item_schema, dict) and item_schema.get("enum"):
            count = max(low, min(count, len(item_schema["enum"])))
        values = []
        for n in range(count):
            sub = prefix[n] if n < len(prefix) else items
            label = _singular_label(name)
            values.append(self.make(sub, label, index=n, arrays=arrays + 1, depth=depth + 1, lead=lead))
        return values

    def enum(self, options: list[Any], index: int, arrays: int) -> Any:
        if arrays == 0:
            mentioned = self.values.mentioned(options)
            if mentioned is not None:
                return mentioned
        return options[index % len(options)]

    # -- scalars -----------------------------------------------------------------------

    def prompt_value(self, name: str, arrays: int, lead: bool, *, numeric: bool = False) -> Any:
        """A value the prompt gives for this field: named first, then the next in order."""
        if arrays == 0:
            named = named_value(self.prompt, name)
            if named is not None and _is_number(named) == numeric:
                return float(named) if numeric else named
        if not lead:
            return None
        if numeric:
            return self.values.take_number() if arrays == 0 else None
        return self.values.take_string()

    def text(self, name: str, index: int, arrays: int, lead: bool) -> str:
        value = self.prompt_value(name, arrays, lead)
        if value is None:
            return f"[sandbox] {name} {index + 1}" if arrays else f"[sandbox] {name}"
        return f"[sandbox] {value}" if self.labelled else value

    def string(self, schema: dict[str, Any], name: str, index: int, arrays: int, lead: bool) -> str:
        made = _formatted(schema.get("format"), name, index, self.values if arrays == 0 else None)
        value = made if made is not None else self.text(name, index, arrays, lead)
        return _fit_string(value, schema)

    def integer(self, schema: dict[str, Any], name: str, index: int, arrays: int, lead: bool) -> int:
        given = self.prompt_value(name, arrays, lead, numeric=True)
        start = int(given) if given is not None and float(given).is_integer() else index + 1
        low, high = _bounds(schema, integer=True)
        value = min(max(start, low), high) if low <= high else low
        step = schema.get("multipleOf")
        if isinstance(step, (int, float)) and step > 0:
            value = _multiple(value, step, low, high)
        return int(value)

    def number(self, schema: dict[str, Any], name: str, index: int, arrays: int, lead: bool) -> float:
        given = self.prompt_value(name, arrays, lead, numeric=True)
        start = float(given) if given is not None else 1.5 + index
        low, high = _bounds(schema, integer=False)
        value = min(max(start, low), high) if low <= high else low
        step = schema.get("multipleOf")
        if isinstance(step, (int, float)) and step > 0:
            value = _multiple(value, step, low, high)
        return value


# -- helpers ---------------------------------------------------------------------------------


def _merge(parts: list[Any]) -> dict[str, Any]:
    """allOf as one schema: properties and required united, other keywords from the last part."""
    merged: dict[str, Any] = {}
    properties: dict[str, Any] = {}
    required: list[str] = []
    for part in parts:
        if not isinstance(part, dict):
            continue
        properties.update(part.get("properties") or {})
        required += [key for key in part.get("required") or [] if key not in required]
        merged.update({k: v for k, v in part.items() if k not in ("properties", "required")})
    if properties:
        merged["properties"] = properties
    if required:
        merged["required"] = required
    return merged


def _singular_label(name: str) -> str:
    """`cities` -> `city` for item labels ("[sandbox] city 1")."""
    last = name.split()[-1] if name.split() else name
    return name[: len(name) - len(last)] + singular(last) if last.isalpha() else name


def _is_number(text: str) -> bool:
    return re.fullmatch(r"-?\d+(?:\.\d+)?", text) is not None


_EPSILON = 0.5  # how far inside an exclusive bound a number is put


def _bounds(schema: dict[str, Any], *, integer: bool) -> tuple[float, float]:
    low, high = -math.inf, math.inf
    if isinstance(schema.get("minimum"), (int, float)):
        low = schema["minimum"]
    if isinstance(schema.get("maximum"), (int, float)):
        high = schema["maximum"]
    exclusive_low, exclusive_high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if isinstance(exclusive_low, (int, float)) and not isinstance(exclusive_low, bool):
        low = max(low, math.floor(exclusive_low) + 1 if integer else exclusive_low + _EPSILON)
    if isinstance(exclusive_high, (int, float)) and not isinstance(exclusive_high, bool):
        high = min(high, math.ceil(exclusive_high) - 1 if integer else exclusive_high - _EPSILON)
    if not integer and low > high and isinstance(exclusive_low, (int, float)):
        # A narrow open interval: its middle.
        top = exclusive_high if isinstance(exclusive_high, (int, float)) else schema.get("maximum", low)
        low = high = (exclusive_low + top) / 2
    if integer:
        low = math.ceil(low) if low != -math.inf else low
        high = math.floor(high) if high != math.inf else high
    return low, high


def _multiple(value: float, step: float, low: float, high: float) -> float:
    """A multiple of `step` near `value`, inside [low, high], that a validator agrees is one."""
    first = math.ceil(low / step) if low != -math.inf else math.ceil(value / step)
    near = max(round(value / step), first)
    for k in (near, near + 1, near - 1, first, first + 1):
        candidate = k * step
        exact = isinstance(step, int) or float(candidate / step).is_integer()
        if exact and low <= candidate <= high:
            return int(candidate) if float(candidate).is_integer() else candidate
    return int(near * step) if float(near * step).is_integer() else near * step


def _formatted(fmt: Any, name: str, index: int, values: PromptValues | None) -> str | None:
    """A value for a string format; dates the prompt gives are used first."""
    day = index % 28 + 1
    if fmt == "date":
        given = values.take_date() if values is not None else None
        return given or f"2025-01-{day:02d}"
    if fmt == "date-time":
        return f"2025-01-{day:02d}T12:00:00Z"
    if fmt == "time":
        return f"12:{index % 60:02d}:00Z"
    if fmt == "email":
        return f"sandbox-{_slug(name)}-{index + 1}@example.com"
    if fmt in ("uri", "url", "iri", "uri-reference"):
        return f"https://sandbox.invalid/{_slug(name)}/{index + 1}"
    if fmt == "uuid":
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox:{name}:{index}"))
    if fmt == "ipv4":
        return f"192.0.2.{index % 254 + 1}"
    if fmt == "ipv6":
        return f"2001:db8::{index + 1:x}"
    if fmt in ("hostname", "idn-hostname"):
        return f"{_slug(name)}-{index + 1}.sandbox.invalid"
    if fmt == "duration":
        return f"PT{index + 1}M"
    return None


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "value"


def _fit_string(value: str, schema: dict[str, Any]) -> str:
    """`value` within minLength/maxLength and matching the pattern when a candidate can."""
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and not _matches(pattern, value):
        value = next((c for c in (_slug(value), *_PATTERN_CANDIDATES) if _matches(pattern, c)), value)
    low, high = schema.get("minLength"), schema.get("maxLength")
    if isinstance(low, int) and len(value) < low:
        value += "." * (low - len(value))
    if isinstance(high, int) and len(value) > high:
        value = value[:high]
    return value


def _matches(pattern: str, value: str) -> bool:
    try:
        return re.search(pattern, value) is not None
    except re.error:
        return True  # a pattern Python cannot read: nothing better to try


# -- strict mode -------------------------------------------------------------------------


def strict_problem(schema: Any) -> str | None:
    """Why `schema` cannot be used with strict=true, as OpenAI words it; None when it can."""
    if not isinstance(schema, dict):
        return "schema must be a JSON Schema object."
    if schema.get("type") != "object":
        got = schema.get("type", "anyOf" if "anyOf" in schema else None)
        return f"schema must be a JSON Schema of 'type: \"object\"', got 'type: \"{got}\"'."
    return _strict_walk(schema, ())


def _strict_walk(node: Any, context: tuple[str, ...]) -> str | None:
    if isinstance(node, list):
        for n, item in enumerate(node):
            problem = _strict_walk(item, (*context, str(n)))
            if problem:
                return problem
        return None
    if not isinstance(node, dict):
        return None
    is_object = node.get("type") == "object" or (
        isinstance(node.get("type"), list) and "object" in node["type"]
    )
    if is_object or "properties" in node:
        where = f"In context={context!r}, "
        if node.get("additionalProperties") is not False:
            return where + "'additionalProperties' is required to be supplied and to be false."
        keys = list((node.get("properties") or {}).keys())
        missing = [k for k in keys if k not in (node.get("required") or [])]
        if missing:
            return (
                where + "'required' is required to be supplied and to be an array including every key "
                f"in properties. Missing '{missing[0]}'."
            )
    for key in ("properties", "$defs", "definitions"):
        for name, sub in (node.get(key) or {}).items():
            problem = _strict_walk(sub, (*context, key, name))
            if problem:
                return problem
    for key in ("items", "anyOf", "allOf", "oneOf", "prefixItems"):
        if key in node:
            problem = _strict_walk(node[key], (*context, key))
            if problem:
                return problem
    return None
