"""What a model is for, guessed from its ID (the API does not say).

The rules, first match wins: `ft:` -> fine-tuned; `embedding` -> embedding;
`moderation` -> moderation; `dall-e`, `image` -> image; `whisper`, `tts`, `transcribe`,
`audio`, `realtime`, `speech` -> audio; `instruct`, `davinci`, `babbage` -> completion;
`o1`, `o3`, `o4`... -> reasoning; `gpt`, `chatgpt` and anything else with `chat` -> chat;
everything else -> other.
"""

from __future__ import annotations

import re

__all__ = ["KINDS", "model_kind"]

KINDS = (
    "chat",
    "reasoning",
    "completion",
    "embedding",
    "image",
    "audio",
    "moderation",
    "fine-tuned",
    "other",
)

_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("fine-tuned", re.compile(r"^ft:")),
    ("embedding", re.compile(r"embed")),
    ("moderation", re.compile(r"moderation")),
    ("image", re.compile(r"dall-e|image")),
    ("audio", re.compile(r"whisper|tts|transcribe|audio|realtime|speech")),
    ("completion", re.compile(r"instruct|davinci|babbage")),
    ("reasoning", re.compile(r"^o\d")),
    ("chat", re.compile(r"gpt|chat")),
]


def model_kind(model_id: str) -> str:
    """`'text-embedding-3-small'` -> `'embedding'`; see the module docstring for the rules."""
    text = str(model_id).lower()
    for kind, pattern in _RULES:
        if pattern.search(text):
            return kind
    return "other"
