"""The models the sandbox offers: real OpenAI model IDs, so notebooks run unchanged on both."""

from __future__ import annotations

# (id, created, owned_by)
MODELS: list[tuple[str, int, str]] = [
    ("gpt-4o", 1715367049, "system"),
    ("gpt-4o-mini", 1721172741, "system"),
    ("gpt-4o-mini-2024-07-18", 1721172717, "system"),
    ("gpt-4.1-mini", 1744318173, "system"),
    ("o3-mini", 1737146383, "system"),
    ("gpt-3.5-turbo", 1677610602, "openai"),
    ("gpt-3.5-turbo-instruct", 1692901427, "system"),
    ("text-embedding-3-small", 1705948997, "system"),
    ("text-embedding-3-large", 1705953180, "system"),
    ("text-embedding-ada-002", 1671217299, "openai-internal"),
    ("dall-e-2", 1698798177, "system"),
    ("dall-e-3", 1698785189, "system"),
    ("gpt-image-1", 1745517030, "system"),
    ("whisper-1", 1677532384, "openai-internal"),
    ("gpt-4o-mini-transcribe", 1742068463, "system"),
    ("tts-1", 1681940951, "openai-internal"),
    ("gpt-4o-mini-tts", 1742403959, "system"),
    ("omni-moderation-latest", 1731689265, "system"),
    ("text-moderation-latest", 1702254326, "system"),
]


def model_records() -> dict[str, dict]:
    return {
        model_id: {"id": model_id, "object": "model", "created": created, "owned_by": owner}
        for model_id, created, owner in MODELS
    }
