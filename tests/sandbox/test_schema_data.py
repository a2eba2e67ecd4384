"""JSON made from a schema and a prompt (structured outputs, tool arguments) and JSON mode's shapes."""

from __future__ import annotations

import json
import string

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openai_widgets.sandbox._prompt_json import json_answer
from openai_widgets.sandbox._prompt_words import count_and_noun, named_value, singular, values_in
from openai_widgets.sandbox._schema_data import instance, strict_problem

from .responses_support import error_of, http_fixture  # noqa: F401 (http_fixture is the `http` fixture)


def valid(schema, value):
    validator = jsonschema.Draft202012Validator
    validator(schema, format_checker=validator.FORMAT_CHECKER).validate(value)


# -- reading prompts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Three fruits and their colours as JSON records", (3, "fruits")),
        ("List 5 largest cities with population", (5, "cities")),
        ("a couple of dogs", (2, "dogs")),
        ("Which one is better?", (None, None)),
        ("What is 2+2?", (None, None)),
        ("Give me 500 words", (None, None)),  # too many to be a count of records
    ],
)
def test_counts_and_nouns(prompt, expected):
    assert count_and_noun(prompt) == expected


@pytest.mark.parametrize(
    ("plural", "one"),
    [("fruits", "fruit"), ("cities", "city"), ("boxes", "box"), ("people", "person"), ("glass", "glass")],
)
def test_singular(plural, one):
    assert singular(plural) == one


def test_values_are_quoted_strings_names_and_numbers():
    found = values_in(
        'Is "New York" bigger than Paris? Use get_weather on 2024-05-01 for 3 days', skip=("get_weather",)
    )
    assert found.strings == ["New York", "Paris"]  # "Is" and "Use" start sentences
    assert found.numbers == [3.0]
    assert found.dates == ["2024-05-01"]


@pytest.mark.parametrize(
    ("text", "name", "value"),
    [
        ("age 36", "age", "36"),
        ("city: Paris", "city", "Paris"),
        ("subject 'Hi there'", "subject", "Hi there"),
        ("start_date is 2024", "start_date", "2024"),
        ("for 3 days", "days", "3"),
        ("the city is nice", "city", None),
    ],
)
def test_named_values(text, name, value):
    assert named_value(text, name) == value


# -- instances of schemas ------------------------------------------------------------------------


def test_values_come_from_the_prompt_and_strings_are_labelled():
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}, "city": {"type": "string"}},
        "required": ["name", "age", "city"],
        "additionalProperties": False,
    }
    prompt = 'Extract the person: "Ada Lovelace", age 36, from London.'
    assert instance(schema, prompt) == {
        "name": "[sandbox] Ada Lovelace",
        "age": 36,
        "city": "[sandbox] London",
    }
    assert instance(schema, prompt, labelled=False) == {"name": "Ada Lovelace", "age": 36, "city": "London"}
    assert instance(schema, "nothing here") == {"name": "[sandbox] name", "age": 1, "city": "[sandbox] city"}


def test_arrays_take_the_prompt_count_within_bounds():
    schema = {"type": "object", "properties": {"cities": {"type": "array", "items": {"type": "string"}}}}
    assert instance(schema, "Five cities") == {"cities": [f"[sandbox] city {n}" for n in range(1, 6)]}
    bounded = {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 2}
    assert instance(bounded, "ten numbers") == [1, 2]
    nested = {"type": "array", "items": {"type": "array", "items": {"type": "boolean"}}}
    assert instance(nested, "") == [[True, False]] * 3  # 3 outside by default, 2 inside


def test_enums_take_the_value_the_prompt_mentions():
    schema = {"type": "object", "properties": {"unit": {"enum": ["celsius", "fahrenheit"]}}}
    assert instance(schema, "in Fahrenheit please") == {"unit": "fahrenheit"}
    assert instance(schema, "") == {"unit": "celsius"}


def test_recursive_schemas_end():
    tree = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#"}}},
        "required": ["name", "children"],
        "additionalProperties": False,
    }
    value = instance(tree, "a family")
    valid(tree, value)
    linked = {
        "$defs": {
            "node": {
                "type": "object",
                "properties": {"next": {"anyOf": [{"$ref": "#/$defs/node"}, {"type": "null"}]}},
                "required": ["next"],
            }
        },
        "$ref": "#/$defs/node",
    }
    valid(linked, instance(linked))


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string", "format": "date"},
        {"type": "string", "format": "date-time"},
        {"type": "string", "format": "email"},
        {"type": "string", "format": "uuid"},
        {"type": "string", "format": "ipv4"},
        {"type": "string", "minLength": 40},
        {"type": "string", "maxLength": 3},
        {"type": "string", "pattern": "^[A-Z]{3}$"},
        {"type": "integer", "exclusiveMinimum": 10, "multipleOf": 7},
        {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        {"type": "number", "minimum": 0.2, "maximum": 0.9, "multipleOf": 0.1},
        {"allOf": [{"type": "object", "properties": {"a": {"type": "string"}}}, {"required": ["b"]}]},
        {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}], "items": False},
        {"type": "array", "items": {"enum": ["x", "y"]}, "uniqueItems": True, "minItems": 2},
        {"oneOf": [{"type": "null"}, {"type": "object", "properties": {"k": {"const": 3}}}]},
    ],
)
def test_keywords_are_honoured(schema):
    valid(schema, instance(schema, "a prompt with 3 things"))


def test_strict_problems_are_worded_as_openai_does():
    closed = {
        "type": "object",
        "properties": {"a": {"type": "string"}},
        "required": ["a"],
        "additionalProperties": False,
    }
    assert strict_problem(closed) is None
    assert strict_problem({**closed, "required": []}) == (
        "In context=(), 'required' is required to be supplied and to be an array including every key in "
        "properties. Missing 'a'."
    )
    nested = {**closed, "properties": {"a": {"type": "object", "properties": {}}}}
    assert strict_problem(nested) == (
        "In context=('properties', 'a'), 'additionalProperties' is required to be supplied and to be false."
    )
    assert strict_problem({"type": "array"}).startswith("schema must be a JSON Schema of 'type: \"object\"'")


# -- many schemas --------------------------------------------------------------------------------

NAMES = st.text(string.ascii_lowercase + "_", min_size=1, max_size=8)


@st.composite
def integers(draw):
    schema = {"type": "integer"}
    low = draw(st.none() | st.integers(-50, 50))
    if low is not None:
        schema[draw(st.sampled_from(["minimum", "exclusiveMinimum"]))] = low
        if draw(st.booleans()):
            schema["maximum"] = low + draw(st.integers(30, 100))
    if draw(st.booleans()):
        schema["multipleOf"] = draw(st.sampled_from([2, 3, 5]))
    return schema


@st.composite
def numbers(draw):
    schema = {"type": "number"}
    if draw(st.booleans()):
        low = draw(st.integers(-10, 10))
        schema["minimum"] = low
        schema[draw(st.sampled_from(["maximum", "exclusiveMaximum"]))] = low + draw(st.integers(3, 9))
    if draw(st.booleans()):
        schema["multipleOf"] = draw(st.sampled_from([0.5, 0.25, 0.1, 2]))
    return schema


@st.composite
def strings(draw):
    schema = {"type": "string"}
    choice = draw(st.integers(0, 3))
    if choice == 1:
        schema["format"] = draw(st.sampled_from(["date", "date-time", "email", "uuid", "ipv4", "time"]))
    elif choice == 2:
        low = draw(st.integers(0, 20))
        schema.update(minLength=low, maxLength=low + draw(st.integers(0, 30)))
    elif choice == 3:
        schema["pattern"] = draw(st.sampled_from(["^[a-z]+$", "^[A-Z]{3}$", "^\\d+$", "^[a-z]+-[0-9]+$"]))
    return schema


LEAVES = st.one_of(
    strings(),
    integers(),
    numbers(),
    st.just({"type": "boolean"}),
    st.just({"type": "null"}),
    st.lists(NAMES, min_size=1, max_size=4, unique=True).map(
        lambda values: {"type": "string", "enum": values}
    ),
    st.just({"type": ["string", "null"]}),
    st.integers(-5, 5).map(lambda value: {"const": value}),
)


def _object(properties):
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _containers(children):
    return st.one_of(
        st.dictionaries(NAMES, children, min_size=1, max_size=4).map(_object),
        st.builds(
            lambda items, low, extra: {
                "type": "array",
                "items": items,
                "minItems": low,
                "maxItems": low + extra,
            },
            children,
            st.integers(0, 3),
            st.integers(0, 3),
        ),
        children.map(lambda child: {"anyOf": [child, {"type": "null"}]}),
    )


SCHEMAS = st.recursive(LEAVES, _containers, max_leaves=12)


@st.composite
def with_definitions(draw):
    """A strict root object whose fields refer to shared definitions by $ref."""
    definitions = draw(st.dictionaries(NAMES, SCHEMAS, min_size=1, max_size=3))
    fields = draw(st.lists(st.sampled_from(sorted(definitions)), min_size=1, max_size=4))
    root = _object({f"{name}_{n}": {"$ref": f"#/$defs/{name}"} for n, name in enumerate(fields)})
    root["$defs"] = definitions
    return root


PROMPTS = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "",
            "Three cities: 'Lyon', 'Nice' and Metz with population 5000",
            "List 2 items for Ada Lovelace, age 36, on 2024-05-01",
            "seven things in celsius",
        ]
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema=st.one_of(SCHEMAS, with_definitions()), prompt=PROMPTS, labelled=st.booleans())
def test_every_instance_validates_and_is_deterministic(schema, prompt, labelled):
    value = instance(schema, prompt, labelled=labelled)
    valid(schema, value)
    assert instance(schema, prompt, labelled=labelled) == value
    json.dumps(value)  # plain JSON


@settings(max_examples=100, deadline=None)
@given(schema=st.dictionaries(NAMES, SCHEMAS, min_size=1, max_size=4).map(_object))
def test_strict_objects_pass_the_strict_check(schema):
    assert strict_problem(schema) is None


# -- JSON mode -----------------------------------------------------------------------------------


def test_the_quickstart_prompt_gets_three_fruit_records():
    assert json_answer("List three fruits with their colour as JSON records.") == {
        "fruits": [
            {"fruit": "[sandbox] fruit 1", "colour": "[sandbox] colour 1"},
            {"fruit": "[sandbox] fruit 2", "colour": "[sandbox] colour 2"},
            {"fruit": "[sandbox] fruit 3", "colour": "[sandbox] colour 3"},
        ]
    }


def test_json_mode_uses_counts_attributes_and_listed_items():
    cities = json_answer("5 largest cities with population and country, as JSON")["cities"]
    assert len(cities) == 5 and list(cities[0]) == ["city", "population", "country"]
    assert all(isinstance(c["population"], int) and 10_000 <= c["population"] <= 10_000_000 for c in cities)
    book = json_answer("Two books with title and year of publication as json")["books"][1]
    assert list(book) == ["book", "title", "year_of_publication"]
    assert book["title"] == "[sandbox] title 2"
    assert isinstance(book["year_of_publication"], int) and 1900 <= book["year_of_publication"] <= 2024
    assert json_answer("Three fruits: apple, pear and plum") == {
        "fruits": [{"fruit": "apple"}, {"fruit": "pear"}, {"fruit": "plum"}]
    }
    assert (
        json_answer("List the planets and their moons in JSON")["planets"][0]["planet"]
        == "[sandbox] planet 1"
    )


def test_json_mode_without_a_count_keeps_one_record_per_word():
    assert json_answer("red green blue") == {
        "records": [
            {"index": 1, "word": "red", "length": 3, "source": "sandbox"},
            {"index": 2, "word": "green", "length": 5, "source": "sandbox"},
            {"index": 3, "word": "blue", "length": 4, "source": "sandbox"},
        ]
    }


# -- the chat route ------------------------------------------------------------------------------


def chat_reply(http, spec, body):
    spec.validate_request("POST", "/chat/completions", body)
    answer = http.post("/chat/completions", json=body)
    assert answer.status_code == 200, answer.text
    spec.validate_response("POST", "/chat/completions", answer.json())
    return answer.json()["choices"][0]["message"]


def test_chat_json_mode_answers_the_quickstart_with_fruit_records(http, spec):
    body = {
        "model": "gpt-4o-mini",
        "messages": [
            {"role": "system", "content": "Reply with JSON."},
            {"role": "user", "content": "Three fruits and their colours as JSON records"},
        ],
        "response_format": {"type": "json_object"},
    }
    records = json.loads(chat_reply(http, spec, body)["content"])["fruits"]
    assert [list(record) for record in records] == [["fruit", "colour"]] * 3


def test_chat_structured_outputs_fit_strict_schemas(http, spec):
    schema = {
        "type": "object",
        "properties": {
            "people": {"type": "array", "items": {"$ref": "#/$defs/person"}, "minItems": 2, "maxItems": 2},
        },
        "required": ["people"],
        "additionalProperties": False,
        "$defs": {
            "person": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "age": {"type": ["integer", "null"]}},
                "required": ["name", "age"],
                "additionalProperties": False,
            }
        },
    }
    body = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "Two people: 'Ada' and 'Alan'"}],
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "people", "strict": True, "schema": schema},
        },
    }
    data = json.loads(chat_reply(http, spec, body)["content"])
    valid(schema, data)
    assert [person["name"] for person in data["people"]] == ["[sandbox] Ada", "[sandbox] Alan"]
    loose = {**schema, "additionalProperties": True}
    body["response_format"]["json_schema"]["schema"] = loose
    error = error_of(http.post("/chat/completions", json=body), 400)
    assert error["param"] == "response_format"
    assert error["message"] == (
        "Invalid schema for response_format 'people': In context=(), 'additionalProperties' is required to "
        "be supplied and to be false."
    )


def test_chat_tool_arguments_take_values_from_the_message(http, spec):
    tool = {
        "type": "function",
        "function": {
            "name": "book_table",
            "parameters": {
                "type": "object",
                "properties": {"restaurant": {"type": "string"}, "people": {"type": "integer"}},
                "required": ["restaurant", "people"],
            },
        },
    }
    body = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "Book a table at 'Chez Anna' for 4 people"}],
        "tools": [tool],
    }
    (call,) = chat_reply(http, spec, body)["tool_calls"]
    assert json.loads(call["function"]["arguments"]) == {"restaurant": "Chez Anna", "people": 4}
