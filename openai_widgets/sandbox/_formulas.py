"""`calculate_output` of a multi grader: a small arithmetic formula, parsed and walked, never `eval`ed.

A formula may hold numbers, the sub-graders' names (as written, or with every run of
non-word characters turned into `_`), + - * / ** %, and calls of min, max, abs, floor,
ceil, exp, sqrt and log.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable
from typing import Any, cast

__all__ = ["evaluate", "formula_names", "parse_formula"]

_FUNCTIONS: dict[str, Callable[..., float]] = {
    "min": min,
    "max": max,
    "abs": abs,
    "floor": math.floor,
    "ceil": math.ceil,
    "exp": math.exp,
    "sqrt": math.sqrt,
    "log": math.log,
}
_OPERATORS: dict[type, Callable[[float, float], float]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
    ast.Mod: lambda a, b: a % b,
}


def formula_names(parts: list[tuple[str, dict[str, Any]]]) -> dict[str, str]:
    """Names a formula may use -> the sub-grader key: the key, its name and both as identifiers."""
    names: dict[str, str] = {}
    for key, sub in parts:
        for name in (key, sub.get("name") if isinstance(sub, dict) else None):
            if isinstance(name, str) and name:
                names[name] = key
                names[re.sub(r"\W+", "_", name).strip("_")] = key
    return names


def parse_formula(text: Any, names: dict[str, str]) -> ast.Expression:
    if not isinstance(text, str) or not text.strip():
        raise ValueError("expected a formula such as '0.5 * a + 0.5 * b'.")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        raise ValueError(f"the formula {text!r} does not parse.") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in names and node.id not in _FUNCTIONS:
            known = ", ".join(sorted(n for n in names if n.isidentifier()))
            raise ValueError(f"the formula uses {node.id!r}, which is not a grader name (graders: {known}).")
        if isinstance(node, ast.Call) and (
            not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS or node.keywords
        ):
            raise ValueError(f"only {', '.join(_FUNCTIONS)} may be called in a formula.")
        allowed = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Call, ast.Load)
        if not isinstance(node, allowed + tuple(_OPERATORS) + (ast.USub, ast.UAdd)):
            raise ValueError(f"{type(node).__name__} is not allowed in a formula.")
        if isinstance(node, ast.Constant) and (
            isinstance(node.value, bool) or not isinstance(node.value, (int, float))
        ):
            raise ValueError("only numbers may be written in a formula.")
    return tree


def evaluate(node: ast.AST, values: dict[str, float]) -> float:
    if isinstance(node, ast.Expression):
        return evaluate(node.body, values)
    if isinstance(node, ast.Constant):
        return float(cast("int | float", node.value))  # parse() lets only numbers through
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.UnaryOp):
        value = evaluate(node.operand, values)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp):
        return _OPERATORS[type(node.op)](evaluate(node.left, values), evaluate(node.right, values))
    if isinstance(node, ast.Call):
        return float(_FUNCTIONS[node.func.id](*(evaluate(a, values) for a in node.args)))  # type: ignore[attr-defined]
    raise ValueError(type(node).__name__)
