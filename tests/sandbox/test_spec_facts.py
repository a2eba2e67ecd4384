"""The API facts the sandbox repeats (categories, voices, endpoints, purposes, sizes) are the spec's."""

from __future__ import annotations

import re

import pytest

from openai_widgets.sandbox.routes import audio, batches, files, images, moderations


def enum(spec, schema: dict) -> list:
    """The values a schema enumerates, through `$ref`s and the `anyOf: [string, enum]` idiom."""
    schema = spec._resolve(schema)
    if "enum" in schema:
        return schema["enum"]
    for option in schema.get("anyOf", []) + schema.get("oneOf", []):
        values = enum(spec, option)
        if values:
            return values
    return []


def bound(spec, schema: dict, key: str):
    """A number a schema sets (`maximum`...), also inside a nullable `anyOf`."""
    schema = spec._resolve(schema)
    if key in schema:
        return schema[key]
    return next(
        bound(spec, option, key) for option in schema.get("anyOf", []) if option.get("type") != "null"
    )


def schema(spec, name: str) -> dict:
    return spec.document["components"]["schemas"][name]


def prop(spec, name: str, field: str) -> dict:
    return schema(spec, name)["properties"][field]


def moderation_result(spec) -> dict:
    return prop(spec, "CreateModerationResponse", "results")["items"]["properties"]


def image_categories(spec) -> dict[str, bool]:
    applied = moderation_result(spec)["category_applied_input_types"]["properties"]
    return {name: "image" in enum(spec, value["items"]) for name, value in applied.items()}


def voices_named(spec) -> set[str]:
    """The built-in voices CreateSpeechRequest names (its enum lists fewer than its text)."""
    text = prop(spec, "CreateSpeechRequest", "voice")["description"].split("You may also")[0]
    return set(re.findall(r"`([a-z]+)`", text))


def union(groups) -> set[str]:
    return {value for group in groups for value in group}


FACTS = {
    "moderation categories": (
        lambda spec: set(moderation_result(spec)["categories"]["properties"]),
        lambda: set(moderations.CATEGORIES),
    ),
    "moderation category scores": (
        lambda spec: set(moderation_result(spec)["category_scores"]["properties"]),
        lambda: set(moderations.CATEGORIES),
    ),
    "moderation categories assessed in images": (
        lambda spec: {name for name, image in image_categories(spec).items() if image},
        lambda: set(moderations.IMAGE_CATEGORIES),
    ),
    "speech voices": (voices_named, lambda: set(audio.ALL_VOICES)),
    "speech voices the enum lists": (
        lambda spec: set(enum(spec, schema(spec, "VoiceIdsShared"))) <= set(audio.ALL_VOICES),
        lambda: True,
    ),
    "speech formats": (
        lambda spec: enum(spec, prop(spec, "CreateSpeechRequest", "response_format")),
        lambda: list(audio.SPEECH_FORMATS),
    ),
    "speech formats made or refused": (
        lambda spec: set(enum(spec, prop(spec, "CreateSpeechRequest", "response_format"))),
        lambda: set(audio.SPEECH_TYPES) | set(audio.NOT_MADE_HERE),
    ),
    "translation formats": (
        lambda spec: set(enum(spec, prop(spec, "CreateTranslationRequest", "response_format"))),
        lambda: set(audio.TRANSLATORS["whisper-1"]),
    ),
    "transcription formats (whisper-1's, a subset: diarized_json needs a model the sandbox lacks)": (
        lambda spec: (
            set(enum(spec, prop(spec, "CreateTranscriptionRequest", "response_format"))) - {"diarized_json"}
        ),
        lambda: set(audio.TRANSCRIBERS["whisper-1"]),
    ),
    "batch endpoints": (
        lambda spec: set(enum(spec, prop(spec, "CreateBatchRequest", "endpoint"))),
        lambda: set(batches.ENDPOINTS),
    ),
    "file purposes": (
        lambda spec: set(enum(spec, prop(spec, "CreateFileRequest", "purpose"))),
        lambda: set(files.PURPOSES),
    ),
    "image generation sizes": (
        lambda spec: set(enum(spec, prop(spec, "CreateImageRequest", "size"))),
        lambda: union(model.sizes for model in images.MODELS.values()),
    ),
    "image edit sizes": (
        lambda spec: set(enum(spec, prop(spec, "CreateImageEditRequest", "size"))),
        lambda: union(model.edit_sizes for model in images.MODELS.values()),
    ),
    "image variation sizes": (
        lambda spec: set(enum(spec, prop(spec, "CreateImageVariationRequest", "size"))),
        lambda: union(model.edit_sizes for model in images.MODELS.values() if model.variations),
    ),
    "image generation qualities": (
        lambda spec: set(enum(spec, prop(spec, "CreateImageRequest", "quality"))),
        lambda: union(model.qualities for model in images.MODELS.values()),
    ),
    "image edit qualities": (
        lambda spec: set(enum(spec, prop(spec, "CreateImageEditRequest", "quality"))),
        lambda: union(model.qualities for model in images.MODELS.values() if model.edit_sizes),
    ),
    "image styles": (
        lambda spec: set(enum(spec, prop(spec, "CreateImageRequest", "style"))),
        lambda: union(model.styles for model in images.MODELS.values()),
    ),
    "image output formats": (
        lambda spec: set(enum(spec, prop(spec, "CreateImageRequest", "output_format"))),
        lambda: set(images.OUTPUT_FORMATS),
    ),
    "image response formats": (
        lambda spec: set(enum(spec, prop(spec, "CreateImageRequest", "response_format"))),
        lambda: set(images.RESPONSE_FORMATS),
    ),
    "images per request": (
        lambda spec: bound(spec, prop(spec, "CreateImageRequest", "n"), "maximum"),
        lambda: max(model.max_n for model in images.MODELS.values()),
    ),
    "partial images": (
        lambda spec: bound(spec, prop(spec, "CreateImageRequest", "partial_images"), "maximum"),
        lambda: images.MAX_PARTIAL_IMAGES,
    ),
    "image models the spec names": (
        lambda spec: set(images.MODELS) <= set(enum(spec, prop(spec, "CreateImageRequest", "model"))),
        lambda: True,
    ),
}


@pytest.mark.parametrize("fact", FACTS)
def test_the_sandbox_repeats_the_specs_facts(spec, fact):
    from_spec, from_sandbox = FACTS[fact]
    assert from_spec(spec) == from_sandbox(), fact
