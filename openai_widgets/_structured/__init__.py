"""Structured outputs: Python classes and JSON schemas as the strict schemas OpenAI takes, and back.

`formats.output_format(text_format)` turns a Pydantic model class, a dataclass, a
TypedDict, `list[...]` of one of them, or a JSON-schema dict into an `OutputFormat`: the
strict schema to send (`python_types` writes one from type hints, `strict` closes any
schema the way strict mode requires) and `parse(text)`, which reads the model's JSON back
into an instance of the class (`values`) or a dict. `frames` makes a DataFrame with one
typed column per field from a list of such records. `respond()`, `chat()` and
`respond_map()` share them; Pydantic is imported only when a model class is passed.
"""
