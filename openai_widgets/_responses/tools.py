"""`tools=` of `respond()`: built-in tools by name or dict, and Python functions as function tools.

    "web_search"          {"type": "web_search"}
    "file_search"         {"type": "file_search", "vector_store_ids": [...]} with the IDs from
                          `vector_store_ids=` (given alone, those IDs add file search themselves)
    "code_interpreter"    {"type": "code_interpreter", "container": {"type": "auto"}}
    "image_generation"    {"type": "image_generation"}
    a dict                sent as given ("mcp" servers, settings); file_search and code_interpreter
                          dicts get the vector store IDs and the auto container when they lack them
    a Python function     a function tool that `respond` runs locally (see below)

A function becomes a tool named after it, described by its docstring's first paragraph,
with one parameter per argument: its JSON schema comes from the type hint (see
`_structured.python_types`; no hint: the default's type, else text), its description from
the docstring (Google "Args:", NumPy "Parameters" or Sphinx ":param x:" style). The schema
is strict: arguments with defaults are required but nullable, and a null leaves the default.
"""

from __future__ import annotations

import inspect
import json
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .._core.arguments import type_error
from .._core.errors import InvalidInputError
from .._structured.python_types import type_schema
from .._structured.strict import strict_schema
from .._structured.values import convert

__all__ = ["BUILT_IN", "FunctionTool", "Toolset", "function_tool", "toolset"]

BUILT_IN = ("web_search", "file_search", "code_interpreter", "image_generation")
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_SIMPLE = {str: "string", int: "integer", float: "number", bool: "boolean"}


@dataclass
class FunctionTool:
    """A Python function offered as a tool: its spec, and how to call it with the model's arguments."""

    name: str
    function: Callable[..., Any]
    spec: dict[str, Any]
    hints: dict[str, Any] = field(default_factory=dict)
    optional: set[str] = field(default_factory=set)

    def arguments(self, text: str) -> dict[str, Any]:
        """The model's JSON arguments as keyword arguments (optional nulls dropped, types converted)."""
        values = json.loads(text or "{}")
        if not isinstance(values, dict):
            raise ValueError(f"the arguments are not a JSON object: {text[:80]!r}")
        kwargs = {}
        for name, value in values.items():
            if value is None and name in self.optional and not _takes_none(self.hints.get(name)):
                continue
            kwargs[name] = convert(value, self.hints.get(name, Any)) if name in self.hints else value
        return kwargs


@dataclass
class Toolset:
    """The `tools` of a request, and the functions among them by name."""

    specs: list[dict[str, Any]]
    functions: dict[str, FunctionTool]


def toolset(tools: Any, vector_store_ids: Any = None) -> Toolset:
    """`tools` (one or a list: names, dicts, functions) as request tools; see the module docstring."""
    stores = _store_ids(vector_store_ids)
    given = [] if tools is None else tools if isinstance(tools, (list, tuple)) else [tools]
    specs: list[dict[str, Any]] = []
    functions: dict[str, FunctionTool] = {}
    for n, tool in enumerate(given):
        where = f"tools[{n}]"
        if isinstance(tool, str):
            specs.append(_named(tool, stores, where))
        elif isinstance(tool, dict):
            specs.append(_given(tool, stores, where))
        elif callable(tool):
            made = function_tool(tool, where)
            if made.name in functions:
                raise InvalidInputError(f"{where}: two tools are named {made.name!r}; rename one")
            functions[made.name] = made
            specs.append(made.spec)
        else:
            raise type_error(where, "a tool name, a tool dict or a Python function", tool)
    if stores and not any(spec.get("type") == "file_search" for spec in specs):
        specs.append({"type": "file_search", "vector_store_ids": stores})
    return Toolset(specs, functions)


def function_tool(function: Callable[..., Any], where: str = "tool") -> FunctionTool:
    """A function tool for `function` (see the module docstring)."""
    name = getattr(function, "__name__", "")
    if not _NAME.match(name or ""):
        raise InvalidInputError(
            f"{where}: a function tool needs a name of letters, digits, '_' and '-' (at most 64); "
            f"{name!r} is not one: define the function with def"
        )
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{where}: the signature of {name} cannot be read") from None
    try:
        hints = typing.get_type_hints(function, include_extras=True)
    except (NameError, TypeError):
        hints = {}
    summary, described = _docstring(inspect.getdoc(function) or "")
    defs: dict[str, Any] = {}
    properties: dict[str, Any] = {}
    required, optional, used = [], set(), {}
    for parameter in signature.parameters.values():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        hint = hints.get(parameter.name, _guess(parameter))
        schema = type_schema(hint, defs, f"{where} ({name}) argument {parameter.name}")
        if described.get(parameter.name):
            schema = {**schema, "description": described[parameter.name]}
        properties[parameter.name] = schema
        used[parameter.name] = hint
        if parameter.default is parameter.empty:
            required.append(parameter.name)
        else:
            optional.add(parameter.name)
    parameters: dict[str, Any] = {"type": "object", "properties": properties, "required": required}
    if defs:
        parameters["$defs"] = defs
    spec = {
        "type": "function",
        "name": name,
        "description": summary or None,
        "parameters": strict_schema(parameters, f"{where} ({name})"),
        "strict": True,
    }
    if spec["description"] is None:
        del spec["description"]
    return FunctionTool(name, function, spec, used, optional)


def _guess(parameter: inspect.Parameter) -> Any:
    """An unannotated argument's type: its default's when that is simple, else text."""
    default = parameter.default
    return type(default) if type(default) in _SIMPLE else str


def _docstring(doc: str) -> tuple[str, dict[str, str]]:
    """The summary (first paragraph) and each argument's description, in the common styles."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", doc.strip()) if p.strip()]
    summary = paragraphs[0] if paragraphs and not _is_section(paragraphs[0]) else ""
    described: dict[str, str] = {}
    for match in re.finditer(r":param\s+(?:[\w\[\], ]+\s+)?(\w+):\s*(.+)", doc):
        described[match.group(1)] = match.group(2).strip()
    section = re.search(r"^(Args|Arguments|Parameters)\s*:?\s*\n(-+\n)?(.*?)(?:\n\s*\n|\Z)", doc, re.M | re.S)
    if section:
        numpy = bool(section.group(2))  # "name : type" lines, the description on the lines below
        current = None
        for line in section.group(3).splitlines():
            entry = re.match(r"(\s*)(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)", line)
            if entry and (not numpy or not entry.group(1)):
                current = entry.group(2)
                described[current] = "" if numpy else entry.group(3).strip()
            elif current and line.strip():
                described[current] = (described[current] + " " + line.strip()).strip()
    return " ".join(summary.split()), {k: v for k, v in described.items() if v}


def _is_section(paragraph: str) -> bool:
    return bool(re.match(r"^(Args|Arguments|Parameters|Returns|:param)", paragraph))


def _named(name: str, stores: list[str], where: str) -> dict[str, Any]:
    if name in ("web_search", "web_search_preview", "image_generation"):
        return {"type": name}
    if name == "code_interpreter":
        return {"type": "code_interpreter", "container": {"type": "auto"}}
    if name == "file_search":
        if not stores:
            raise InvalidInputError(
                f"{where}: file_search searches vector stores: give vector_store_ids=['vs_...'] "
                "(ow.vector_stores() lists yours)"
            )
        return {"type": "file_search", "vector_store_ids": stores}
    if name == "mcp":
        raise InvalidInputError(
            f"{where}: an MCP tool needs its server: pass a dict such as {{'type': 'mcp', "
            "'server_label': 'docs', 'server_url': 'https://...', 'require_approval': 'never'}"
        )
    raise InvalidInputError(
        f"{where}: {name!r} is not a built-in tool; use one of {', '.join(BUILT_IN)}, a tool dict "
        "or a Python function"
    )


def _given(tool: dict[str, Any], stores: list[str], where: str) -> dict[str, Any]:
    kind = tool.get("type")
    if not isinstance(kind, str):
        raise InvalidInputError(f"{where} is a dict without a 'type'; e.g. {{'type': 'web_search'}}")
    made = dict(tool)
    if kind == "file_search" and not made.get("vector_store_ids"):
        if not stores:
            raise InvalidInputError(
                f"{where}: file_search needs vector_store_ids (in the dict or as a keyword)"
            )
        made["vector_store_ids"] = stores
    if kind == "code_interpreter":
        made.setdefault("container", {"type": "auto"})
    return made


def _store_ids(value: Any) -> list[str]:
    if value is None:
        return []
    ids = [value] if isinstance(value, str) else value
    if not isinstance(ids, (list, tuple)) or not all(isinstance(i, (str, dict)) for i in ids):
        raise type_error("vector_store_ids", "a vector store ID or a list of them", value)
    made = [i["id"] if isinstance(i, dict) else i for i in ids]
    if not made or not all(isinstance(i, str) and i.strip() for i in made):
        raise InvalidInputError("vector_store_ids is empty; give IDs such as 'vs_...'")
    return made


def _takes_none(hint: Any) -> bool:
    return hint is None or type(None) in typing.get_args(hint)
