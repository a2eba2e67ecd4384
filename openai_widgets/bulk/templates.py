"""Prompts made from a template and the rows of a Series or DataFrame (chat_map, respond_map).

`{column}` fields come from each row of a DataFrame; for a Series, `{}`, `{value}` or
`{<the Series' name>}` stand for the value. Every prompt is made, and a missing column or
an empty value reported with its row, before anything is sent.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from .._core.arguments import text, type_error
from .._core.errors import InvalidInputError
from .._tables.text_input import check_texts

__all__ = ["row_prompts"]


def row_prompts(rows: Any, template: Any) -> tuple[list[str], Any]:
    """Every row's prompt, and the index to label the answers with."""
    import pandas as pd

    text(template, "template", hint="write a prompt such as 'Summarise: {text}'")
    fields = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    if isinstance(rows, pd.DataFrame):
        missing = sorted({f for f in fields if f not in rows.columns})
        if missing or "" in fields:
            raise InvalidInputError(
                f"template field(s) {', '.join('{' + f + '}' for f in missing) or '{}'} are not columns; "
                f"name columns of the DataFrame: {', '.join(map(str, rows.columns))}"
            )
        records = rows.to_dict("records")
    elif isinstance(rows, pd.Series):
        names = {"value", "", *([str(rows.name)] if rows.name is not None else [])}
        unknown = sorted(set(fields) - names)
        if unknown:
            raise InvalidInputError(
                f"template field(s) {', '.join('{' + f + '}' for f in unknown)} are unknown; for a Series "
                f"use {{}} or {{value}}" + (f" or {{{rows.name}}}" if rows.name is not None else "")
            )
        records = [dict.fromkeys(names, value) for value in rows.tolist()]
    else:
        raise type_error("rows", "a pandas Series or DataFrame", rows)
    for name in dict.fromkeys(fields):  # the rule every bulk text follows, for every row, first
        values = [record.get(name) for record in records]
        check_texts(values, rows.index, f"the value for {{{name}}}", allow_empty=True)
    prompts = []
    for record in records:
        positional = [record[""]] if "" in record else []
        try:
            prompts.append(template.format(*positional, **_named(record)))
        except (ValueError, KeyError, IndexError, AttributeError) as exc:
            raise InvalidInputError(
                f"template {template!r} cannot be filled ({type(exc).__name__}: {exc}); the values "
                "are text, so write plain {column} fields without format specs or attributes"
            ) from None
    check_texts(prompts, rows.index, "the prompt")  # the template's own text, e.g. a lone surrogate
    return prompts, rows.index


def _named(record: Mapping[Any, Any]) -> dict[str, Any]:
    return {str(key): value for key, value in record.items() if key != ""}
