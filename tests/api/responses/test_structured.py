"""Structured outputs: Pydantic models, dataclasses, TypedDicts and JSON schemas sent as strict schemas,
read back into `.parsed` and into typed DataFrame columns, in respond() and chat()."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import sys
import typing
from collections.abc import Sequence
from typing import Literal, NotRequired, Optional, TypedDict

import jsonschema
import pandas as pd
import pydantic
import pytest

import openai_widgets as ow
from openai_widgets._structured.formats import output_format
from openai_widgets._structured.strict import strict_schema
from tests.support.responses import bodies_sent


class Address(pydantic.BaseModel):
    city: str
    zip: str | None = None


class Person(pydantic.BaseModel):
    """Somebody."""

    name: str
    age: int = 30
    born: dt.date
    home: Address
    tags: list[str] = []


class Size(enum.Enum):
    BIG = "big"
    SMALL = "small"


@dataclasses.dataclass
class City:
    name: str
    population: int
    area: float
    capital: bool
    founded: Optional[dt.datetime] = None  # noqa: UP045 - the typing spelling is what is tested
    size: Size = Size.BIG
    notes: list[str] = dataclasses.field(default_factory=list, metadata={"description": "free notes"})


class Fruit(TypedDict):
    name: str
    colour: Literal["red", "green", "yellow"]
    weight: NotRequired[float]


def strict_problems(schema, path="#"):
    """Where `schema` breaks strict mode's rules (every object closed, every key required)."""
    problems = []
    if isinstance(schema, dict):
        if schema.get("type") == "object" or (
            isinstance(schema.get("type"), list) and "object" in schema["type"]
        ):
            if schema.get("additionalProperties") is not False:
                problems.append(f"{path}: additionalProperties")
            if set(schema.get("required", [])) != set(schema.get("properties", {})):
                problems.append(f"{path}: required")
        assert "default" not in schema and "oneOf" not in schema, path
        for key, value in schema.items():
            problems += strict_problems(value, f"{path}/{key}")
    elif isinstance(schema, list):
        for n, value in enumerate(schema):
            problems += strict_problems(value, f"{path}/{n}")
    return problems


# -- the schemas sent -------------------------------------------------------------------------


@pytest.mark.parametrize("target", [Person, City, Fruit, list[City], list[Person]])
def test_every_class_becomes_a_strict_schema(target):
    fmt = output_format(target)
    assert fmt.strict is True
    assert strict_problems(fmt.schema) == []
    jsonschema.Draft202012Validator.check_schema(fmt.schema)


def test_optional_fields_become_required_and_nullable():
    schema = output_format(City).schema
    properties = schema["properties"]
    assert schema["required"] == ["name", "population", "area", "capital", "founded", "size", "notes"]
    assert properties["name"] == {"type": "string"}
    assert properties["capital"] == {"type": "boolean"}
    assert properties["founded"] == {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]}
    assert properties["size"] == {"type": ["string", "null"], "enum": ["big", "small", None]}
    assert properties["notes"] == {
        "type": ["array", "null"],
        "items": {"type": "string"},
        "description": "free notes",
    }
    fruit = output_format(Fruit).schema["properties"]
    assert fruit["colour"] == {"type": "string", "enum": ["red", "green", "yellow"]}
    assert fruit["weight"] == {"type": ["number", "null"]}


def test_a_pydantic_model_keeps_its_definitions_and_description():
    fmt = output_format(Person)
    assert fmt.name == "Person"
    schema = fmt.schema
    assert schema["description"] == "Somebody."
    assert schema["properties"]["home"] == {"$ref": "#/$defs/Address"}
    assert schema["$defs"]["Address"]["required"] == ["city", "zip"]
    assert schema["properties"]["age"]["type"] == ["integer", "null"]


def test_a_json_schema_dict_is_made_strict_and_the_apis_own_format_is_sent_as_given():
    given = {"title": "Fact sheet", "type": "object", "properties": {"x": {"type": "integer", "default": 1}}}
    fmt = output_format(given)
    assert fmt.name == "Fact_sheet"
    assert fmt.schema["properties"]["x"] == {"type": ["integer", "null"]}
    assert (
        "default" not in given["properties"]["x"] or given["properties"]["x"]["default"] == 1
    )  # not changed
    own = {"type": "json_schema", "name": "loose", "schema": {"type": "object"}, "strict": False}
    assert output_format(own).responses_format() == own


def test_one_of_becomes_any_of_and_a_ref_with_siblings_is_inlined():
    schema = {
        "type": "object",
        "properties": {
            "pet": {"oneOf": [{"$ref": "#/$defs/Cat"}, {"type": "string"}]},
            "home": {"$ref": "#/$defs/Cat", "description": "where it lives"},
        },
        "required": ["pet", "home"],
        "$defs": {"Cat": {"type": "object", "properties": {"lives": {"type": "integer"}}}},
    }
    made = strict_schema(schema)
    assert "anyOf" in made["properties"]["pet"]
    assert made["properties"]["home"]["description"] == "where it lives"
    assert made["properties"]["home"]["properties"] == {"lives": {"type": ["integer", "null"]}}
    assert strict_problems(made) == []


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"type": "array", "items": {"type": "string"}}, "must describe an object"),
        (
            {
                "type": "object",
                "properties": {"m": {"type": "object", "additionalProperties": {"type": "integer"}}},
            },
            "text_format.m is a free-form object",
        ),
        (dict[str, int], "text_format must be a Pydantic model class"),
        (42, "text_format must be a Pydantic model class"),
        (list[int], "list[...] needs a class inside"),
    ],
)
def test_schemas_strict_mode_cannot_take_are_refused(given, message):
    with pytest.raises((ow.InvalidInputError, ow.InvalidTypeError)) as info:
        output_format(given)
    assert message in str(info.value)


def test_fields_without_a_json_form_are_named():
    @dataclasses.dataclass
    class Loose:
        counts: dict[str, int]

    with pytest.raises(
        ow.InvalidInputError, match=r"Loose.counts is a dict; structured outputs need named fields"
    ):
        output_format(Loose)

    @dataclasses.dataclass
    class Vague:
        anything: typing.Any

    with pytest.raises(ow.InvalidInputError, match="Vague.anything has no type"):
        output_format(Vague)


def test_pydantic_is_imported_only_when_a_model_class_is_passed():
    import subprocess

    code = (
        "import dataclasses, sys, openai_widgets._structured.formats as f\n"
        "@dataclasses.dataclass\nclass A:\n    x: int\n"
        "f.output_format(A).parse('{\"x\": 1}')\n"
        "f.output_format({'type': 'object', 'properties': {'y': {'type': 'string'}}})\n"
        "print('pydantic' in sys.modules)\n"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert shown.strip() == "False"


# -- round trips through the sandbox ----------------------------------------------------------


def test_a_pydantic_model_round_trips_into_parsed(sandbox, client, spec):
    result = client.respond("Ada Lovelace, born 1815-12-10 in London", text_format=Person)
    (body,) = bodies_sent(sandbox, spec)
    assert body["text"]["format"] == {
        "type": "json_schema",
        "name": "Person",
        "schema": output_format(Person).schema,
        "strict": True,
    }
    person = result.parsed
    assert isinstance(person, Person) and isinstance(person.home, Address)
    assert isinstance(person.born, dt.date)
    assert person.age == 30 or isinstance(person.age, int)  # a null leaves the default
    assert "```json" in result.markdown()


def test_nulls_of_optional_fields_leave_the_defaults():
    fmt = output_format(City)
    city = fmt.parse(
        '{"name": "Oslo", "population": 700000, "area": 454, "capital": true, "founded": null, '
        '"size": null, "notes": null}'
    )
    assert city == City("Oslo", 700000, 454.0, True, None, Size.BIG, [])
    assert isinstance(city.area, float)
    person = output_format(Person).parse(
        '{"name": "A", "age": null, "born": "2000-01-02", "home": {"city": "X", "zip": null}, "tags": null}'
    )
    assert (person.age, person.tags, person.home.zip) == (30, [], None)
    fruit = output_format(Fruit).parse('{"name": "kiwi", "colour": "green", "weight": null}')
    assert fruit == {"name": "kiwi", "colour": "green"}


def test_a_reply_that_does_not_fit_raises_a_validation_error():
    with pytest.raises(ow.APIResponseValidationError, match="does not fit City"):
        output_format(City).parse('{"name": "Oslo", "population": "many", "area": 1, "capital": true}')
    with pytest.raises(ow.APIResponseValidationError, match="not valid JSON"):
        output_format(Person).parse("{oops")


@pytest.mark.parametrize("target", [City, Fruit])
def test_dataclasses_and_typeddicts_round_trip(client, target):
    result = client.respond("Oslo, 709000 people, 454.0 km2, capital", text_format=target)
    parsed = result.parsed
    if target is City:
        assert (
            isinstance(parsed, City) and isinstance(parsed.population, int) and isinstance(parsed.size, Size)
        )
    else:
        assert isinstance(parsed, dict) and parsed["colour"] in ("red", "green", "yellow")


def test_a_list_format_gives_a_list_and_a_typed_frame(client):
    result = client.respond("Three cities", text_format=list[City])
    cities = result.parsed
    assert len(cities) == 3 and all(isinstance(city, City) for city in cities)
    frame = result.data
    assert list(frame.columns) == ["name", "population", "area", "capital", "founded", "size", "notes"]
    assert frame["population"].dtype == "int64"
    assert frame["area"].dtype == "float64"
    assert frame["capital"].dtype == "bool"
    assert str(frame["founded"].dtype) == "datetime64[ns, UTC]"
    assert pd.api.types.is_string_dtype(frame["name"])


def test_a_dict_schema_gives_a_dict(client):
    schema = {"type": "object", "properties": {"city": {"type": "string"}, "people": {"type": "integer"}}}
    result = client.respond("Paris 2100000", text_format=schema)
    assert result.parsed == {"city": result.parsed["city"], "people": 2100000}
    assert result.data == result.parsed


def test_json_mode_adds_the_hint_the_api_needs(sandbox, client, spec):
    result = client.respond("three fruits", text_format="json")
    (body,) = bodies_sent(sandbox, spec)
    assert body["text"] == {"format": {"type": "json_object"}}
    assert body["instructions"] == "Reply with JSON."
    assert isinstance(result.parsed, dict)


def test_text_settings_are_kept_next_to_the_format(sandbox, client, spec):
    client.respond("Oslo 7", text_format=City, text={"verbosity": "low"})
    (body,) = bodies_sent(sandbox, spec)
    assert body["text"]["verbosity"] == "low" and body["text"]["format"]["name"] == "City"


# -- chat() -----------------------------------------------------------------------------------


def test_chat_takes_a_class_as_response_format(sandbox, client, spec):
    result = client.chat("Oslo, 709000 people, 454.0 km2, capital", response_format=City)
    body = sandbox.requests_to("/chat/completions")[0].json()
    spec.validate_request("POST", "/chat/completions", body)
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "City", "schema": output_format(City).schema, "strict": True},
    }
    assert isinstance(result.parsed, City)


def test_chat_keeps_its_json_forms_and_parses_them_into_dicts(client):
    assert isinstance(client.chat("Fruits as JSON", response_format="json").parsed, dict)
    schema = {"title": "City facts", "type": "object", "properties": {"city": {"type": "string"}}}
    assert set(client.chat("Paris", response_format=schema).parsed) == {"city"}
    assert client.chat("plain").parsed is None


def test_chat_streams_a_list_format_into_a_typed_frame(client):
    result = client.chat("Three cities", response_format=list[City], stream=True)
    assert [type(city) for city in result.parsed] == [City] * 3
    assert result.data["population"].dtype == "int64"


def test_sequences_sets_and_tuples_round_trip():
    @dataclasses.dataclass
    class Shapes:
        sides: Sequence[int]
        names: set[str]
        corner: tuple[int, str]

    fmt = output_format(Shapes)
    corner = fmt.schema["properties"]["corner"]
    assert corner["prefixItems"] == [{"type": "integer"}, {"type": "string"}] and corner["items"] is False
    made = fmt.parse('{"sides": [3, 4], "names": ["a", "a", "b"], "corner": [1, "x"]}')
    assert made == Shapes([3, 4], {"a", "b"}, (1, "x"))
