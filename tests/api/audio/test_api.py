"""transcribe, translate and speak against the sandbox: texts, segment tables, requests, audio players."""

from __future__ import annotations

import io
import wave

import pandas as pd
import pytest
from IPython.display import Audio

import openai_widgets as ow
from openai_widgets import Speech
from tests.support.media import tone

SECONDS = 7.0
WAV = tone(SECONDS)


def check_multipart(spec, path, logged):
    fields, files = logged.form()
    spec.validate_multipart("POST", path, fields, files)
    return fields, files


# -- transcribe and translate -----------------------------------------------------------------


def test_transcribe_returns_the_text(sandbox, client, spec):
    text = client.transcribe(WAV)
    assert isinstance(text, str)
    assert text.startswith("[sandbox] ")
    assert len(text.split()) == 1 + round(SECONDS * 2.5)  # "[sandbox]" and 2.5 words a second
    (logged,) = sandbox.requests_to("/audio/transcriptions")
    fields, files = check_multipart(spec, "/audio/transcriptions", logged)
    assert fields == {"model": "whisper-1", "response_format": "json"}
    (upload,) = files["file"]
    assert (upload.filename, upload.content_type, upload.content) == ("audio.wav", "audio/wav", WAV)


def test_the_same_audio_gives_the_same_text(client):
    assert client.transcribe(WAV) == client.transcribe(WAV)
    assert client.transcribe(WAV) != client.transcribe(tone(SECONDS, pitch=300))


def test_settings_reach_the_request(sandbox, client, spec):
    client.transcribe(WAV, language="de", prompt="Namen: Jörg", temperature=0.2)
    fields, _ = check_multipart(
        spec, "/audio/transcriptions", sandbox.requests_to("/audio/transcriptions")[0]
    )
    assert fields == {
        "model": "whisper-1",
        "language": "de",
        "prompt": "Namen: Jörg",
        "response_format": "json",
        "temperature": "0.2",
    }


def test_verbose_output_is_a_frame_of_segments(sandbox, client, spec):
    frame = client.transcribe(WAV, response_format="verbose_json")
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns[:3]) == ["start", "end", "text"]
    assert "words" not in frame.columns
    assert frame["start"].dtype == "float64"
    assert frame["end"].dtype == "float64"
    assert len(frame) == 2  # segments of about five seconds
    assert frame["start"].iloc[0] == 0.0
    assert frame["end"].iloc[-1] == pytest.approx(SECONDS)
    assert frame["text"].iloc[0].startswith("[sandbox] ")  # stripped of the API's leading space
    assert frame.attrs["language"] == "english"
    assert frame.attrs["duration"] == pytest.approx(SECONDS)
    assert frame.attrs["text"] == client.transcribe(WAV)
    assert {"id", "avg_logprob", "no_speech_prob"} <= set(frame.columns)


def test_word_timestamps_give_a_words_column(sandbox, client, spec):
    frame = client.transcribe(WAV, timestamp_granularities=["word", "segment"])
    assert list(frame.columns[:4]) == ["start", "end", "text", "words"]
    words = [w for row in frame["words"] for w in row]
    assert len(words) == round(SECONDS * 2.5)
    assert set(words[0]) == {"word", "start", "end"}
    for _, row in frame.iterrows():
        assert all(row["start"] <= w["start"] < row["end"] for w in row["words"])
    logged = sandbox.requests_to("/audio/transcriptions")[0]
    fields, _ = check_multipart(spec, "/audio/transcriptions", logged)
    assert fields["response_format"] == "verbose_json"  # chosen for you: timestamps need it
    assert fields["timestamp_granularities"] == ["word", "segment"]
    assert b'name="timestamp_granularities[]"' in logged.body


def test_word_timestamps_alone_give_one_row_per_word(client):
    frame = client.transcribe(WAV, timestamp_granularities="word")
    assert len(frame) == round(SECONDS * 2.5)
    assert list(frame.columns) == ["start", "end", "text", "words"]
    assert frame["words"].iloc[0] == [
        {"word": frame["text"].iloc[0], "start": 0.0, "end": frame["end"].iloc[0]}
    ]


@pytest.mark.parametrize(
    ("fmt", "start"),
    [
        ("text", "[sandbox] "),
        ("srt", "1\n00:00:00,000 --> 00:00:05,"),
        ("vtt", "WEBVTT\n\n00:00:00.000 --> 00:00:05."),
    ],
)
def test_text_and_subtitle_formats_come_back_as_text(client, fmt, start):
    text = client.transcribe(WAV, response_format=fmt)
    assert isinstance(text, str)
    assert text.startswith(start)
    if fmt != "text":
        assert "00:00:07" in text  # the last segment ends with the audio


def test_translate_returns_english_text(sandbox, client, spec):
    text = client.translate(WAV, prompt="Technical talk")
    assert text.startswith("[sandbox] English translation: ")
    fields, _ = check_multipart(spec, "/audio/translations", sandbox.requests_to("/audio/translations")[0])
    assert fields == {"model": "whisper-1", "prompt": "Technical talk", "response_format": "json"}
    frame = client.translate(WAV, response_format="verbose_json")
    assert frame.attrs["language"] == "english"
    assert len(frame) == 2


def test_paths_file_objects_and_ipython_audio_are_taken(sandbox, client, tmp_path):
    path = tmp_path / "meeting.wav"
    path.write_bytes(WAV)
    texts = {
        client.transcribe(path),
        client.transcribe(str(path)),
        client.transcribe(path.open("rb")),
        client.transcribe(Audio(filename=str(path))),
        client.transcribe(Audio(data=WAV)),
    }
    assert len(texts) == 1
    names = [r.form()[1]["file"][0].filename for r in sandbox.requests_to("/audio/transcriptions")]
    assert names == ["meeting.wav", "meeting.wav", "meeting.wav", "meeting.wav", "audio.wav"]


def test_other_formats_are_sent_with_their_name_and_type(sandbox, client):
    data = io.BytesIO(b"ID3\x04\x00" + bytes(32_000))
    data.name = "podcast.mp3"
    text = client.transcribe(data)
    assert len(text.split()) == 1 + 5  # 32 kB is estimated as 2 s at 128 kbit/s
    upload = sandbox.requests_to("/audio/transcriptions")[0].form()[1]["file"][0]
    assert (upload.filename, upload.content_type) == ("podcast.mp3", "audio/mpeg")


def test_a_list_of_files_gives_a_frame_and_limit_caps_it(sandbox, client, tmp_path):
    paths = []
    for i, seconds in enumerate((1.0, 2.0, 3.0)):
        paths.append(tmp_path / f"clip{i}.wav")
        paths[-1].write_bytes(tone(seconds))
    frame = client.transcribe(paths, limit=2)
    assert list(frame.columns) == ["file", "text"]
    assert list(frame["file"]) == [str(paths[0]), str(paths[1])]
    assert [len(t.split()) for t in frame["text"]] == [1 + 2, 1 + 5]
    assert len(sandbox.requests_to("/audio/transcriptions")) == 2
    everything = client.translate(paths)
    assert len(everything) == 3


def test_a_list_with_verbose_output_stacks_the_segments(client, tmp_path):
    short, long = tmp_path / "short.wav", tmp_path / "long.wav"
    short.write_bytes(tone(1.0))
    long.write_bytes(tone(SECONDS))
    frame = client.transcribe([short, long], response_format="verbose_json")
    assert list(frame.columns[:4]) == ["file", "start", "end", "text"]
    assert list(frame["file"]) == [str(short), str(long), str(long)]


def test_a_list_is_checked_whole_before_anything_is_sent(sandbox, client):
    with pytest.raises(ow.InvalidInputError, match="not in a format the API transcribes"):
        client.transcribe([WAV, b"not audio at all"])
    assert sandbox.requests_to("/audio") == []


def test_server_refusals_come_back_as_errors(client):
    with pytest.raises(ow.BadRequestError, match="The model 'tts-1' cannot be used to transcribe audio"):
        client.transcribe(WAV, model="tts-1")
    with pytest.raises(ow.NotFoundError, match="The model `whisper-9` does not exist"):
        client.transcribe(WAV, model="whisper-9")


def test_module_functions_use_the_default_client(connected):
    assert ow.transcribe(WAV).startswith("[sandbox]")
    assert ow.translate(WAV).startswith("[sandbox] English translation:")


# -- speak ------------------------------------------------------------------------------------------


def test_speak_returns_a_player_holding_the_bytes(sandbox, client, spec, tmp_path):
    speech = client.speak("Hello there, general.", voice="nova", format="wav", speed=1.25)
    assert isinstance(speech, Speech)
    assert isinstance(speech, Audio)
    with wave.open(io.BytesIO(speech.content)) as reader:
        assert (reader.getnchannels(), reader.getsampwidth(), reader.getframerate()) == (1, 2, 24_000)
        assert reader.getnframes() > 0
    assert speech.duration == pytest.approx((0.5 + 0.04 * 21) / 1.25, abs=0.01)
    html = speech._repr_html_()
    assert "<audio" in html
    assert 'type="audio/wav"' in html
    assert "data:audio/wav;base64," in html
    assert repr(speech).startswith("<Speech: wav, ")
    body = sandbox.requests_to("/audio/speech")[0].json()
    assert body == {
        "model": "tts-1",
        "input": "Hello there, general.",
        "voice": "nova",
        "response_format": "wav",
        "speed": 1.25,
    }
    spec.validate_request("POST", "/audio/speech", body)
    saved = speech.save(tmp_path / "hello")
    assert saved.name == "hello.wav"
    assert saved.read_bytes() == speech.content
    assert speech.save(tmp_path / "sub" / "kept.bin").name == "kept.bin"


def test_mp3_speech_is_a_chain_of_valid_mpeg_frames(client):
    speech = client.speak("Hello", model="gpt-4o-mini-tts", voice="marin", instructions="Calm and warm.")
    assert speech.format == "mp3"
    assert speech.mimetype == "audio/mpeg"
    data = speech.content
    position, frames = 0, 0
    while position < len(data):
        header = int.from_bytes(data[position : position + 4], "big")
        assert header >> 21 == 0x7FF  # frame sync
        assert (header >> 19) & 3 == 3  # MPEG-1
        assert (header >> 17) & 3 == 1  # Layer III
        bitrate = {1: 32_000, 9: 128_000}[(header >> 12) & 15]
        rate = {0: 44_100, 1: 48_000, 2: 32_000}[(header >> 10) & 3]
        padding = (header >> 9) & 1
        position += 144 * bitrate // rate + padding
        frames += 1
    assert position == len(data)
    assert frames * 1152 / 48_000 == pytest.approx(0.5 + 0.04 * 5, abs=0.03)


def test_pcm_speech_is_wrapped_for_the_player_but_kept_raw(client, tmp_path):
    speech = client.speak("Hi", format="pcm")
    assert not speech.content.startswith(b"RIFF")
    assert speech.data.startswith(b"RIFF")  # what the player plays
    assert speech.mimetype == "audio/wav"
    assert speech.duration == pytest.approx(len(speech.content) / 48_000)
    assert speech.save(tmp_path / "hi").read_bytes() == speech.content


def test_formats_the_sandbox_cannot_make_are_refused_with_a_reason(client):
    with pytest.raises(ow.BadRequestError, match=r"The sandbox cannot make opus audio \(OpenAI can\)"):
        client.speak("Hello", format="opus")


def test_custom_voices_are_sent_as_objects(sandbox, client, spec):
    client.speak("Hello", voice={"id": "voice_123"}, format="wav")
    body = sandbox.requests_to("/audio/speech")[0].json()
    assert body["voice"] == {"id": "voice_123"}
    spec.validate_request("POST", "/audio/speech", body)


def test_a_player_a_cell_has_shown_steps_aside_in_that_cell_only(client, ip):
    speech = client.speak("Hello", format="wav")
    speech.mark_shown()
    assert speech._repr_html_() is None
    ip.execution_count += 1
    assert "<audio" in speech._repr_html_()


def test_speak_on_the_default_client(connected):
    assert ow.speak("Hello", format="wav").format == "wav"
