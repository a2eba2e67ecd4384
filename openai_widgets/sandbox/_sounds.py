"""Sounds the sandbox hears and makes: audio durations, made-up transcripts, speech files.

Durations come from a WAV file's header (its data size over its byte rate); other
formats are estimated from their size as if at 128 kbit/s. Transcripts are sandbox
words, about 2.5 per second of audio, chosen from a hash of the bytes, so the same file
always gives the same text. Speech is a WAV (or raw PCM) of short tones, or an MP3 of
silent MPEG frames: valid files that any player opens, made without an encoder.
"""

from __future__ import annotations

import array
import hashlib
import io
import math
import struct
import sys
import wave

__all__ = ["audio_seconds", "mp3_silence", "tone_samples", "transcript_words", "wav_bytes"]

ESTIMATED_BYTES_PER_SECOND = 16_000  # 128 kbit/s, for formats whose header is not read
SPEECH_RATE = 24_000  # samples per second, as OpenAI's pcm and wav speech
WORDS_PER_SECOND = 2.5

_VOCABULARY = (
    "sandbox river morning window signal garden paper engine lantern harbor silver "
    "meadow pencil thunder orange valley copper whisper castle planet bridge forest "
    "candle rocket marble ocean letter canvas feather mirror"
)
_WORDS = _VOCABULARY.split()


def audio_seconds(content: bytes, fmt: str) -> float:
    """Seconds of audio: exact for WAV, estimated from the size for other formats."""
    if fmt == "wav":
        seconds = _wav_seconds(content)
        if seconds is not None:
            return seconds
    return len(content) / ESTIMATED_BYTES_PER_SECOND


def _wav_seconds(content: bytes) -> float | None:
    """Data chunk size / byte rate from the RIFF chunks (any WAV codec, not only PCM)."""
    if content[:4] != b"RIFF" or content[8:12] != b"WAVE":
        return None
    position, byte_rate = 12, None
    while position + 8 <= len(content):
        chunk_id = content[position : position + 4]
        (size,) = struct.unpack("<I", content[position + 4 : position + 8])
        if chunk_id == b"fmt " and size >= 16:
            (byte_rate,) = struct.unpack("<I", content[position + 16 : position + 20])
        elif chunk_id == b"data" and byte_rate:
            available = min(size, len(content) - position - 8)
            return available / byte_rate
        position += 8 + size + (size % 2)
    return None


def transcript_words(content: bytes, seconds: float, salt: str = "") -> list[str]:
    """Deterministic sandbox words for `seconds` of audio (at least one)."""
    count = max(1, round(seconds * WORDS_PER_SECOND))
    digest = hashlib.sha256(salt.encode() + content).digest()
    return [_WORDS[(digest[i % 32] + i * 7) % len(_WORDS)] for i in range(count)]


def tone_samples(seconds: float, seed: str) -> array.array:
    """16-bit mono samples at 24 kHz: short beeps whose pitches come from `seed`."""
    digest = hashlib.sha256(seed.encode()).digest()
    total = max(1, int(seconds * SPEECH_RATE))
    beep = int(0.18 * SPEECH_RATE)
    samples = array.array("h", bytes(2 * total))
    for start in range(0, total, int(0.25 * SPEECH_RATE)):
        pitch = 220 + digest[(start // beep) % 32] * 3
        for i in range(min(beep, total - start)):
            fade = min(1.0, i / 240, (beep - i) / 240)  # no clicks at the edges
            samples[start + i] = int(9000 * fade * math.sin(2 * math.pi * pitch * i / SPEECH_RATE))
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def wav_bytes(samples: array.array, rate: int = SPEECH_RATE) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(samples.tobytes())
    return buffer.getvalue()


# MPEG-1 Layer III, 32 kbit/s, 48 kHz, mono, no CRC: 144 * 32000 / 48000 = 96 bytes a frame,
# 1152 samples (24 ms) each. Side information and main data all zero decode as silence.
MP3_FRAME_HEADER = b"\xff\xfb\x14\xc0"
MP3_FRAME_BYTES = 96
MP3_FRAME_SECONDS = 1152 / 48_000


def mp3_silence(seconds: float) -> bytes:
    frames = max(1, math.ceil(seconds / MP3_FRAME_SECONDS))
    frame = MP3_FRAME_HEADER + bytes(MP3_FRAME_BYTES - len(MP3_FRAME_HEADER))
    return frame * frames
