"""Write `openai_widgets/__init__.pyi`: the package's public names as type checkers and editors see them.

`openai_widgets/__init__.py` makes one module-level function per public `Client` method at
import time (`ow.chat` runs `get_client().chat`), which editors, pyright and mypy cannot
follow. This stub spells them out, with each method's signature (without `self`) and its
overloads, and re-exports every other public name. `tests/contract/test_stub.py` fails
when the stub is not what this script would write now.

    python tools/generate_stub.py          # rewrite the stub
    python tools/generate_stub.py --check  # exit 1 if it is out of date
"""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
import typing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STUB = ROOT / "openai_widgets" / "__init__.pyi"
HEADER = '''"""Type stub of the public names (written by tools/generate_stub.py; do not edit by hand)."""

# ruff: noqa: F401, E501
'''


def module_imports(module_name: str) -> dict[str, str]:
    """Name -> import statement, for every import in a module (TYPE_CHECKING blocks included)."""
    module = importlib.import_module(module_name)
    tree = ast.parse(inspect.getsource(module))
    package = module_name.rpartition(".")[0]
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                found[bound] = f"import {alias.name}" + (f" as {alias.asname}" if alias.asname else "")
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            for alias in node.names:
                bound = alias.asname or alias.name
                renamed = f" as {alias.asname}" if alias.asname else ""
                found[bound] = f"from {base} import {alias.name}{renamed}"
    return found


def needed_imports(module_name: str, known: dict[str, str], used: set[str]) -> set[str]:
    """The imports of the names `used` in annotations of `module_name`: what the module
    imports, or names it defines itself (type aliases such as `AudioSource`)."""
    defined = vars(sys.modules[module_name])
    found = {known[n] for n in used if n in known}
    return found | {f"from {module_name} import {n}" for n in used if n not in known and n in defined}


def names_in(annotation: str) -> set[str]:
    """The root names an annotation string refers to (`pd.DataFrame | None` -> {"pd"})."""
    tree = ast.parse(annotation, mode="eval")
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def default_text(value: object) -> str:
    if value is None or isinstance(value, (bool, int, float, str)):
        return repr(value)
    if isinstance(value, tuple) and all(isinstance(v, (bool, int, float, str)) for v in value):
        return repr(value)
    return "..."


def signature_text(function: typing.Callable[..., object]) -> tuple[str, set[str]]:
    """`(params) -> return` without `self`, and the names its annotations use."""
    signature = inspect.signature(function)
    used: set[str] = set()
    parts: list[str] = []
    star_done = False
    for index, parameter in enumerate(signature.parameters.values()):
        if index == 0 and parameter.name == "self":
            continue
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY and not star_done:
            parts.append("*")
            star_done = True
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            star_done = True
        text = parameter.name
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            text = "*" + text
        elif parameter.kind is inspect.Parameter.VAR_KEYWORD:
            text = "**" + text
        if parameter.annotation is not inspect.Parameter.empty:
            annotation = str(parameter.annotation)
            used |= names_in(annotation)
            text += f": {annotation}"
        if parameter.default is not inspect.Parameter.empty:
            equals = " = " if ":" in text else "="
            text += f"{equals}{default_text(parameter.default)}"
        if parameter.kind is inspect.Parameter.POSITIONAL_ONLY and index == len(signature.parameters) - 1:
            text += ", /"
        parts.append(text)
    result = ""
    if signature.return_annotation is not inspect.Signature.empty:
        annotation = str(signature.return_annotation)
        used |= names_in(annotation)
        result = f" -> {annotation}"
    return f"({', '.join(parts)}){result}", used


def stub_text() -> str:
    import openai_widgets as ow

    functions = set(ow._API_FUNCTIONS)
    imports: set[str] = set()
    defs: list[str] = []
    for name in sorted(functions):
        method = getattr(ow.Client, name)
        owner = method.__module__
        known = module_imports(owner)
        for variant in typing.get_overloads(method) or []:
            text, used = signature_text(variant)
            imports |= needed_imports(owner, known, used)
            defs.append(f"@overload\ndef {name}{text}: ...")
        text, used = signature_text(method)
        imports |= needed_imports(owner, known, used)
        if typing.get_overloads(method):
            continue  # the implementation's signature is not part of the interface
        defs.append(f"def {name}{text}: ...")
    exports = []
    for name in sorted(set(ow.__all__) - functions):
        value = getattr(ow, name)
        if inspect.ismodule(value):
            exports.append(f"from . import {name} as {name}")
        elif name == "__version__":
            exports.append("from ._version import __version__ as __version__")
        else:
            exports.append(f"from {value.__module__} import {name} as {name}")
    imports.add("from typing import overload")
    listed = [f"    {n!r}," for n in ow.__all__]
    lines = [HEADER, *sorted(imports), "", *exports, "", "__all__ = [", *listed, "]", ""]
    for block in defs:
        lines += ["", block]
    return "\n".join(lines).replace("'", '"') + "\n"


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    text = stub_text()
    if "--check" in argv:
        if not STUB.exists() or STUB.read_text() != text:
            print(f"{STUB.relative_to(ROOT)} is out of date: run python tools/generate_stub.py")
            return 1
        return 0
    STUB.write_text(text)
    print(f"wrote {STUB.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
