"""POST /moderations: deterministic categories and scores from a small word list.

Words such as "kill", "hate", "idiot", "blood" or "suicide" raise the scores of their
categories above 0.5, which flags them; every other score is a tiny deterministic number.
Image inputs are accepted (and scored as harmless). Text moderation models do not assess
`illicit` and `illicit/violent`: those come back as null, as they do from OpenAI.
"""

from __future__ import annotations

import re
import zlib
from typing import Any

from .._http import ApiError, JSONResponse, Request
from ._chat_checks import describe_image
from ._checks import is_moderation_model, type_name
from ._registry import route

DEFAULT_MODEL = "omni-moderation-latest"

CATEGORIES = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/intent",
    "self-harm/instructions",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)
# Categories omni models also assess in images (the rest are text only).
IMAGE_CATEGORIES = {
    "self-harm",
    "self-harm/intent",
    "self-harm/instructions",
    "sexual",
    "violence",
    "violence/graphic",
}
TEXT_ONLY_MODEL_SKIPS = {"illicit", "illicit/violent"}

# word -> {category: score}
WORDS: dict[str, dict[str, float]] = {
    "kill": {"violence": 0.92, "harassment/threatening": 0.64, "harassment": 0.58},
    "murder": {"violence": 0.9, "harassment/threatening": 0.6},
    "shoot": {"violence": 0.81},
    "stab": {"violence": 0.83},
    "hate": {"hate": 0.78, "harassment": 0.55},
    "idiot": {"harassment": 0.74},
    "stupid": {"harassment": 0.61},
    "blood": {"violence/graphic": 0.71, "violence": 0.52},
    "gore": {"violence/graphic": 0.86},
    "suicide": {"self-harm": 0.88, "self-harm/intent": 0.57},
    "steal": {"illicit": 0.69},
    "bomb": {"illicit/violent": 0.77, "violence": 0.66},
    "nsfw": {"sexual": 0.8},
}


@route("POST", "/moderations")
def create_moderation(request: Request, sandbox) -> JSONResponse:
    body = request.json_object()
    model_id = body.get("model") or DEFAULT_MODEL
    model = sandbox.state.model(model_id)["id"]
    if not is_moderation_model(model):
        raise ApiError(
            400,
            f"The model `{model}` is not a moderation model; use omni-moderation-latest or "
            "text-moderation-latest.",
            param="model",
            code="invalid_model",
        )
    items = _items(body.get("input"))
    omni = model.startswith("omni")
    results = [_result(item, omni) for item in items]
    return JSONResponse({"id": sandbox.state.new_id("modr"), "model": model, "results": results})


def _items(value: Any) -> list[tuple[str, str]]:
    """The inputs as (kind, text-or-url) pairs."""
    if value is None:
        raise ApiError(
            400, "Missing required parameter: 'input'.", param="input", code="missing_required_parameter"
        )
    if isinstance(value, str):
        return [("text", value)]
    if not isinstance(value, list):
        raise ApiError(
            400,
            f"Invalid type for 'input': expected a string or an array, but got {type_name(value)} instead.",
            param="input",
            code="invalid_type",
        )
    if not value:
        raise ApiError(
            400,
            "Invalid 'input': empty array. Expected an array with minimum length 1, "
            "but got an empty array instead.",
            param="input",
            code="empty_array",
        )
    items = []
    for index, item in enumerate(value):
        if isinstance(item, str):
            items.append(("text", item))
        elif isinstance(item, dict) and item.get("type") == "text" and isinstance(item.get("text"), str):
            items.append(("text", item["text"]))
        elif isinstance(item, dict) and item.get("type") == "image_url":
            url = (item.get("image_url") or {}).get("url", "")
            describe_image(url, f"input[{index}].image_url.url")
            items.append(("image", url))
        else:
            raise ApiError(
                400,
                f"Invalid value for 'input[{index}]': expected a string or a text or image_url object.",
                param=f"input[{index}]",
                code="invalid_value",
            )
    return items


def _result(item: tuple[str, str], omni: bool) -> dict[str, Any]:
    kind, value = item
    scores = {category: _base_score(value, category) for category in CATEGORIES}
    if kind == "text":
        for word in re.findall(r"[a-z]+", value.lower()):
            for category, score in WORDS.get(word, WORDS.get(word.removesuffix("s"), {})).items():
                scores[category] = max(scores[category], score)
    categories: dict[str, Any] = {category: score >= 0.5 for category, score in scores.items()}
    applied = {
        category: [kind] if kind == "text" or category in IMAGE_CATEGORIES else [] for category in CATEGORIES
    }
    if not omni:
        for category in TEXT_ONLY_MODEL_SKIPS:
            categories[category] = None
            scores[category] = 0.0
            applied[category] = []
    return {
        "flagged": any(flag for flag in categories.values() if flag),
        "categories": categories,
        "category_scores": scores,
        "category_applied_input_types": applied,
    }


def _base_score(value: str, category: str) -> float:
    """A tiny, deterministic score for harmless content (never near the 0.5 threshold)."""
    return (zlib.crc32(f"{category}:{value}".encode()) % 10_000) / 1_000_000
