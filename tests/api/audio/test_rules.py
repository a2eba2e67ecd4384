"""Audio inputs and every audio validation rule, with its message, caught before any request is sent."""

from __future__ import annotations

import io

import numpy as np
import pytest
from IPython.display import Audio

import openai_widgets as ow
from openai_widgets._media.audio import AUDIO_FORMATS, read_audio, sniff_audio, speech_voices
from tests.support.media import Offline, tone

WAV = tone(0.2)


@pytest.fixture
def offline():
    made = Offline()
    yield made.client
    assert made.requests == []


RULES = [
    (lambda c: c.transcribe(b""), ow.InvalidInputError, "the audio is empty (0 bytes); pass an audio file"),
    (
        lambda c: c.transcribe("no/such/talk.mp3"),
        ow.InvalidInputError,
        "audio file 'no/such/talk.mp3' does not exist; check the path",
    ),
    (
        lambda c: c.transcribe(b"just some bytes"),
        ow.InvalidInputError,
        "the audio is not in a format the API transcribes (flac, mp3, mp4, mpeg, mpga, m4a, ogg, wav, webm): "
        "convert it to one of these, or name the file with its real extension",
    ),
    (
        lambda c: c.transcribe(_named(b"FORM....AIFF", "talk.aiff")),
        ow.InvalidInputError,
        "'talk.aiff' (.aiff) is not in a format the API transcribes (flac, mp3, mp4, mpeg, mpga, m4a, "
        "ogg, wav, webm): convert it to one of these, or name the file with its real extension",
    ),
    (
        lambda c: c.transcribe(WAV[:44] + bytes(26 * 1024 * 1024)),
        ow.InvalidInputError,
        "the audio is 26.0 MB; the API takes files up to 25 MB: split it into parts or compress it "
        "(e.g. to mp3)",
    ),
    (
        lambda c: c.transcribe(io.StringIO("text")),
        ow.InvalidTypeError,
        "the audio file is open in text mode; open it with 'rb'",
    ),
    (
        lambda c: c.transcribe(3.5),
        ow.InvalidTypeError,
        "file must be a path, bytes, a binary file object or an IPython.display.Audio, not float",
    ),
    (
        lambda c: c.transcribe(Audio(url="https://example.com/talk.mp3")),
        ow.InvalidInputError,
        "this Audio holds only a URL, no sound: download the file and pass its path or bytes",
    ),
    (
        lambda c: c.transcribe(WAV, language="English"),
        ow.InvalidInputError,
        "language 'English' is not an ISO-639-1 code; use a two-letter code such as 'en', 'de' or 'fr'",
    ),
    (
        lambda c: c.transcribe(WAV, temperature=1.5),
        ow.InvalidInputError,
        "temperature 1.5 is out of range; transcription takes 0 to 1",
    ),
    (
        lambda c: c.transcribe(WAV, temperature="hot"),
        ow.InvalidTypeError,
        "temperature must be a number from 0 to 1, not str",
    ),
    (
        lambda c: c.transcribe(WAV, response_format="docx"),
        ow.InvalidInputError,
        "response_format 'docx' is not offered by whisper-1: use one of json, text, srt, verbose_json, vtt",
    ),
    (
        lambda c: c.transcribe(WAV, model="gpt-4o-mini-transcribe", response_format="verbose_json"),
        ow.InvalidInputError,
        "response_format 'verbose_json' is not offered by gpt-4o-mini-transcribe: use one of json, text "
        "(segments and subtitles need whisper-1)",
    ),
    (
        lambda c: c.transcribe(WAV, timestamp_granularities=["sentence"]),
        ow.InvalidInputError,
        "timestamp_granularities takes 'word' and/or 'segment', not 'sentence'",
    ),
    (
        lambda c: c.transcribe(WAV, response_format="text", timestamp_granularities="word"),
        ow.InvalidInputError,
        "timestamp_granularities need response_format='verbose_json', not 'text': change one of them",
    ),
    (lambda c: c.transcribe(WAV, prompt=7), ow.InvalidTypeError, "prompt must be a string or None, not int"),
    (
        lambda c: c.transcribe(WAV, language=7),
        ow.InvalidTypeError,
        "language must be an ISO-639-1 code such as 'en', not int",
    ),
    (
        lambda c: c.transcribe(WAV, timestamp_granularities=5),
        ow.InvalidTypeError,
        "timestamp_granularities must be 'word', 'segment' or a list of them, not int",
    ),
    (
        lambda c: c.transcribe([WAV, WAV], limit=0),
        ow.InvalidInputError,
        "limit must be 1 or more, got 0",
    ),
    (
        lambda c: c.transcribe(WAV, limit="2"),
        ow.InvalidTypeError,
        "limit must be a whole number of files or None, not str",
    ),
    (
        lambda c: c.transcribe([]),
        ow.InvalidInputError,
        "the list of audio files is empty; pass at least one file",
    ),
    (
        lambda c: c.transcribe([WAV, b"", WAV]),
        ow.InvalidInputError,
        "the audio is empty (0 bytes); pass an audio file",
    ),
    (
        lambda c: c.translate(WAV, response_format="html"),
        ow.InvalidInputError,
        "response_format 'html' is not offered by whisper-1: use one of json, text, srt, verbose_json, vtt",
    ),
    (lambda c: c.speak(""), ow.InvalidInputError, "text is empty; give the words to speak"),
    (lambda c: c.speak(None), ow.InvalidTypeError, "text must be a string, not NoneType"),
    (
        lambda c: c.speak("x" * 4097),
        ow.InvalidInputError,
        "text is 4097 characters; speech takes up to 4096 per request: split it into parts and speak each",
    ),
    (
        lambda c: c.speak("hi", voice="ballad"),
        ow.InvalidInputError,
        "voice 'ballad' is not offered by tts-1: use one of alloy, ash, coral, echo, fable, onyx, nova, "
        "sage, shimmer (other voices need gpt-4o-mini-tts)",
    ),
    (
        lambda c: c.speak("hi", voice="robot", model="gpt-4o-mini-tts"),
        ow.InvalidInputError,
        "voice 'robot' is not offered by gpt-4o-mini-tts: use one of alloy, ash, ballad, coral, echo, fable, "
        "onyx, nova, sage, shimmer, verse, marin, cedar",
    ),
    (
        lambda c: c.speak("hi", voice=3),
        ow.InvalidTypeError,
        "voice must be a voice name such as 'alloy', not int",
    ),
    (
        lambda c: c.speak("hi", voice={"name": "x"}),
        ow.InvalidInputError,
        "a custom voice is given as {'id': 'voice_...'}",
    ),
    (
        lambda c: c.speak("hi", format="ogg"),
        ow.InvalidInputError,
        "format 'ogg' is not offered for speech: use one of mp3, opus, aac, flac, wav, pcm",
    ),
    (
        lambda c: c.speak("hi", speed=5),
        ow.InvalidInputError,
        "speed 5 is out of range; use 0.25 (slow) to 4 (fast), 1 is normal",
    ),
    (
        lambda c: c.speak("hi", speed="fast"),
        ow.InvalidTypeError,
        "speed must be a number from 0.25 to 4, not str",
    ),
    (
        lambda c: c.speak("hi", instructions="whisper"),
        ow.InvalidInputError,
        "tts-1 takes no instructions: leave them out, or use gpt-4o-mini-tts",
    ),
    (
        lambda c: c.speak("hi", model=""),
        ow.InvalidInputError,
        "model is empty; pass a model ID such as 'tts-1'",
    ),
]


def _named(content: bytes, name: str) -> io.BytesIO:
    data = io.BytesIO(content)
    data.name = name
    return data


@pytest.mark.parametrize(("call", "error", "message"), RULES)
def test_rule_is_enforced_before_sending_with_a_message_that_says_how_to_fix_it(
    offline, call, error, message
):
    with pytest.raises(error) as caught:
        call(offline)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("head", "fmt"),
    [
        (WAV[:16], "wav"),
        (b"fLaC\x00\x00\x00\x22", "flac"),
        (b"OggS\x00\x02", "ogg"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81", "webm"),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00", "m4a"),
        (b"\x00\x00\x00\x20ftypisom\x00\x00", "mp4"),
        (b"ID3\x04\x00\x00\x00", "mp3"),
        (b"\xff\xfb\x90\x64", "mp3"),
        (b"%PDF-1.7", None),
    ],
)
def test_formats_are_told_from_the_first_bytes(head, fmt):
    assert sniff_audio(head + bytes(16)) == fmt


def test_a_file_name_with_a_known_extension_decides_the_format(tmp_path):
    path = tmp_path / "meeting.m4a"
    path.write_bytes(b"\x00\x00\x00\x20ftypM4A " + bytes(64))
    upload = read_audio(path)
    assert (upload.filename, upload.format, upload.mime) == ("meeting.m4a", "m4a", "audio/mp4")
    renamed = read_audio(_named(WAV, "take-2.mpga"))
    assert (renamed.filename, renamed.format, renamed.mime) == ("take-2.mpga", "mpga", "audio/mpeg")
    unnamed = read_audio(WAV)
    assert (unnamed.filename, unnamed.format, unnamed.mime) == ("audio.wav", "wav", "audio/wav")
    sniffed = read_audio(_named(WAV, "recording"))  # no extension: the bytes tell
    assert (sniffed.filename, sniffed.format) == ("recording", "wav")
    assert set(AUDIO_FORMATS) == {"flac", "mp3", "mp4", "mpeg", "mpga", "m4a", "ogg", "wav", "webm"}


def test_ipython_audio_objects_are_read(tmp_path):
    samples = np.sin(np.linspace(0, 200, 1600))
    made = read_audio(Audio(data=samples, rate=8000))
    assert (made.filename, made.format) == ("audio.wav", "wav")
    assert made.content.startswith(b"RIFF")
    path = tmp_path / "hello.wav"
    path.write_bytes(WAV)
    from_file = read_audio(Audio(filename=str(path)))
    assert (from_file.filename, from_file.content) == ("hello.wav", WAV)


def test_exactly_25_mb_is_allowed():
    upload = read_audio(WAV[:44] + bytes(25 * 1024 * 1024 - 44))
    assert len(upload.content) == 25 * 1024 * 1024


def test_voices_per_model():
    assert "ballad" not in speech_voices("tts-1")
    assert "ballad" not in speech_voices("tts-1-hd")
    assert "marin" in speech_voices("gpt-4o-mini-tts")
    assert speech_voices("tts-1")[0] == "alloy"


def test_other_servers_speech_models_take_their_own_voices(offline):
    from openai_widgets._media.audio import check_speech

    body = check_speech("kokoro-82m", "hi", "af_bella", "wav", None, "calm")
    assert body == {
        "model": "kokoro-82m",
        "input": "hi",
        "voice": "af_bella",
        "response_format": "wav",
        "instructions": "calm",
    }
    assert check_speech("tts-1", "hi", {"id": "voice_123"}, "mp3", 1.5, None)["voice"] == {"id": "voice_123"}
