"""The package's layers, checked over its import graph: no cycles, no upward edges.

Every `import` in the package is read from the source (function-local ones included,
and `importlib.import_module("openai_widgets...")` calls), so a lazy import cannot hide
an edge. Data flows one way: presentation (magics, widgets) -> client -> API areas ->
bulk engine -> shared concerns -> tables -> core. The sandbox stands apart: it imports
nothing of the client, so it can stand in for a real server.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "openai_widgets"

# Layer of each top-level part of the package, lowest first. A module may import its own
# layer or lower ones, never a higher one.
LAYERS: dict[str, int] = {
    "_version": 0,
    "_core": 0,
    "_tables": 1,
    "_chat": 2,
    "_media": 2,
    "_embeddings": 2,
    "_tuning": 2,
    "_files": 2,
    "_evals": 2,
    "_usage": 2,
    "_structured": 2,
    "_responses": 2,
    "_costs": 2,
    "bulk": 3,
    "api": 4,
    "_client": 5,
    "_connection": 5,
    "_conversation": 5,
    "magics": 6,
    "widgets": 6,
    "": 7,  # openai_widgets/__init__.py: the public facade re-exports every layer
}
LAYER_NAMES = ["core", "tables", "shared concerns", "bulk", "API areas", "client", "presentation", "facade"]

# What presentation must not reach past the public functions for: raw HTTP and the API areas.
PRESENTATION_MUST_NOT_IMPORT = ("openai_widgets._core.transport", "openai_widgets.api", "httpx")

# Edges that exist on purpose, each with its reason. Keep this list short.
ALLOWED = {
    # Deprecated aliases kept for one release (removed in 0.3), reached through importlib.
    ("openai_widgets._client", "openai_widgets.widgets._front"): "Client.studio() deprecated alias",
    (
        "openai_widgets.sandbox._server",
        "openai_widgets.widgets._front",
    ): "ow.sandbox.connect() deprecated alias",
}


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _typing_only(tree: ast.AST) -> set[int]:
    """ids of the import nodes inside `if TYPE_CHECKING:` blocks (annotations only, never run)."""
    guarded: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            guarded.update(id(inner) for stmt in node.body for inner in ast.walk(stmt))
    return guarded


def imports_of(
    path: Path, modules: set[str], root: Path = PACKAGE, *, runtime_only: bool = False
) -> set[str]:
    """The modules (of the package, plus third-party top names) that `path` imports anywhere.

    With `runtime_only`, imports under `if TYPE_CHECKING:` are left out: they name types for
    annotations and never run, so they cannot make an import cycle (they still count as edges
    between layers).
    """
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    tree = ast.parse(path.read_text(), str(path))
    skipped = _typing_only(tree) if runtime_only else set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                child = f"{target}.{alias.name}"
                found.add(child if child in modules else target)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    found.discard(name)
    return found


def import_graph(root: Path = PACKAGE, *, runtime_only: bool = False) -> dict[str, set[str]]:
    files = {module_name(path, root): path for path in root.rglob("*.py")}
    modules = set(files)
    return {name: imports_of(path, modules, root, runtime_only=runtime_only) for name, path in files.items()}


def part_of(module: str) -> str | None:
    """`openai_widgets._core.errors` -> `_core`; the facade is ``; outside the package: None."""
    if module == "openai_widgets":
        return ""
    if not module.startswith("openai_widgets."):
        return None
    return module.split(".")[1]


def layer_problems(graph: dict[str, set[str]]) -> list[str]:
    problems = []
    for source, targets in sorted(graph.items()):
        here = part_of(source)
        for target in sorted(targets):
            there = part_of(target)
            if (source, target) in ALLOWED:
                continue
            if here == "sandbox":
                if there is not None and there != "sandbox":
                    problems.append(f"{source} -> {target}: the sandbox imports nothing of the client")
                continue
            if there is None:
                if here in ("magics", "widgets") and target.split(".")[0] in PRESENTATION_MUST_NOT_IMPORT:
                    problems.append(f"{source} -> {target}: presentation does not speak HTTP")
                continue
            if there == "sandbox":
                if LAYERS[here] < LAYERS["magics"]:
                    problems.append(f"{source} -> {target}: only presentation may start the sandbox")
                continue
            if LAYERS[there] > LAYERS[here]:
                problems.append(
                    f"{source} -> {target}: {LAYER_NAMES[LAYERS[here]]} imports {LAYER_NAMES[LAYERS[there]]}"
                )
            if here in ("magics", "widgets") and target.startswith(PRESENTATION_MUST_NOT_IMPORT):
                problems.append(
                    f"{source} -> {target}: presentation calls public functions, not API internals"
                )
    return problems


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), edges into packages included."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in graph or (node, target) in ALLOWED:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def package_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Cycles that are not a package's `__init__` re-exporting its own modules."""
    trimmed = {
        source: {t for t in targets if not (t != source and source.startswith(t + "."))}
        for source, targets in graph.items()
    }
    return cycles(trimmed)


def test_every_part_of_the_package_has_a_layer():
    parts = {part_of(name) for name in import_graph()}
    assert parts - set(LAYERS) == {"sandbox"}


def test_imports_only_go_down_the_layers():
    assert layer_problems(import_graph()) == []


def test_no_import_cycles():
    assert package_cycles(import_graph(runtime_only=True)) == []


def test_the_check_finds_an_upward_edge_and_a_cycle(tmp_path):
    """The checks themselves fail on a package that breaks the rules."""
    root = tmp_path / "openai_widgets"
    for folder in ("_core", "api", "widgets", "sandbox", "_embeddings"):
        (root / folder).mkdir(parents=True)
        (root / folder / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / "_core" / "transport.py").write_text("def f():\n    from ..api import models\n")
    (root / "api" / "models.py").write_text("from .._core import transport\n")
    (root / "widgets" / "chat.py").write_text("import httpx\nfrom .._core.transport import f\n")
    (root / "sandbox" / "server.py").write_text("from .._core import transport\n")
    (root / "_embeddings" / "a.py").write_text("from . import b\n")
    (root / "_embeddings" / "b.py").write_text(
        "import importlib\nimportlib.import_module('openai_widgets._embeddings.a')\n"
    )
    (root / "api" / "typed.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..widgets import chat\n"
    )
    graph = import_graph(root)
    problems = "\n".join(layer_problems(graph))
    assert "openai_widgets._core.transport -> openai_widgets.api.models: core imports API areas" in problems
    assert "widgets.chat -> httpx: presentation does not speak HTTP" in problems
    assert "widgets.chat -> openai_widgets._core.transport: presentation calls public functions" in problems
    assert "sandbox.server -> openai_widgets._core.transport: the sandbox imports nothing" in problems
    assert "api.typed -> openai_widgets.widgets.chat: API areas imports presentation" in problems
    (root / "widgets" / "typed.py").write_text(
        "from typing import TYPE_CHECKING\nfrom ..api import typed\nif TYPE_CHECKING:\n    from . import chat\n"
    )
    found = package_cycles(import_graph(root, runtime_only=True))
    assert not [group for group in found if "openai_widgets.api.typed" in group]  # typing-only: no cycle
    assert ["openai_widgets._core.transport", "openai_widgets.api.models"] in found
    assert ["openai_widgets._embeddings.a", "openai_widgets._embeddings.b"] in found


@pytest.mark.parametrize("source", ["openai_widgets._core.transport", "openai_widgets.bulk.engine"])
def test_the_core_and_the_engine_know_nothing_of_the_ui(source):
    graph = import_graph()
    reached = set()
    todo = [source]
    while todo:
        node = todo.pop()
        for target in graph.get(node, ()):
            if target in graph and target not in reached and (node, target) not in ALLOWED:
                reached.add(target)
                todo.append(target)
    assert not {m for m in reached if part_of(m) in ("magics", "widgets", "api", "_client")}
