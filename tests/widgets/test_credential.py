"""The credential widget, driven through its traits."""

from __future__ import annotations

import json

import ipywidgets
import pytest

import openai_widgets as ow
from openai_widgets.widgets import CredentialWidget
from tests.conftest import TEST_KEY


@pytest.fixture
def widget():
    made = CredentialWidget()
    yield made
    ow.set_client(None)


def all_state(widget) -> str:
    """Every widget's synced state, as a saved notebook would hold it."""
    return json.dumps(ipywidgets.Widget.get_manager_state(drop_defaults=False), default=str)


def test_the_form_has_what_the_user_needs(widget):
    assert isinstance(widget.key, ipywidgets.Password)
    assert widget.base_url.value == "https://api.openai.com/v1"
    assert widget.connect_button.description == "Connect"
    assert "openai-credential-widget" in widget._dom_classes


def test_connect_verifies_sets_the_default_and_clears_the_key(widget, sandbox):
    widget.key.value = TEST_KEY
    widget.organization.value = "org-team"
    widget.base_url.value = sandbox.base_url
    widget.connect_button.click()
    assert widget.key.value == ""
    assert ow.get_client() is widget.client
    assert widget.client.organization == "org-team"
    assert f"connected: {len(sandbox.state.models)} models, organization org-team" in widget.status.value
    assert sandbox.requests_to("/models")[-1].headers["authorization"] == f"Bearer {TEST_KEY}"
    assert TEST_KEY not in all_state(widget) and TEST_KEY not in widget.status.value


def test_a_wrong_key_shows_the_error_and_is_cleared_too(widget, sandbox):
    sandbox.api_keys = {"sk-only-this-one-works"}
    widget.key.value = TEST_KEY
    widget.base_url.value = sandbox.base_url
    widget.connect_button.click()
    assert widget.key.value == ""
    assert "AuthenticationError" in widget.status.value and "Incorrect API key" in widget.status.value
    assert widget.client is None and not widget.connect_button.disabled
    assert TEST_KEY not in widget.status.value and TEST_KEY not in all_state(widget)
    with pytest.raises(ow.NotConnectedError):
        ow.get_client()


def test_an_empty_key_asks_for_one(widget, sandbox):
    widget.connect_button.click()
    assert "Enter an API key" in widget.status.value
    assert sandbox.requests == []


def test_a_bad_base_url_is_explained(widget):
    widget.key.value = TEST_KEY
    widget.base_url.value = "localhost:8000"
    widget.connect_button.click()
    assert "is not an http(s) URL" in widget.status.value


def test_the_sandbox_choice_needs_no_key(widget):
    widget.use_sandbox.value = True
    assert widget.key.disabled and widget.base_url.disabled
    widget.connect_button.click()
    assert widget.client.base_url == ow.sandbox.shared().base_url
    assert "connected:" in widget.status.value


def test_connect_without_a_key_in_a_notebook_shows_the_widget(monkeypatch):
    import openai_widgets.widgets._front as front

    shown = []
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setattr(front, "_in_kernel", lambda: True)
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    assert ow.connect(organization="org-1") is None
    assert isinstance(shown[0], CredentialWidget) and shown[0].organization.value == "org-1"


def test_connect_without_a_key_elsewhere_raises(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ow.NotConnectedError, match="No API key"):
        ow.connect()


def from_the_page(widget, value: str) -> None:
    """The key as the browser sends it when the field loses focus: a comm state update."""
    widget.key.set_state({"value": value})


def test_a_key_typed_but_not_submitted_stays_out_of_the_saved_state(widget, sandbox):
    assert widget.key.continuous_update is False  # the page sends the key once, not per keystroke
    from_the_page(widget, TEST_KEY)
    assert widget.key.value == ""
    assert widget.key.placeholder == f"key sk-...{TEST_KEY[-4:]} entered: press Connect (or type another)"
    assert TEST_KEY not in all_state(widget)
    assert TEST_KEY not in repr(widget) and TEST_KEY not in repr(widget.__dict__)
    widget.base_url.value = sandbox.base_url
    widget.connect_button.click()  # Connect still uses the key taken out of the field
    assert "connected:" in widget.status.value
    assert sandbox.requests_to("/models")[-1].headers["authorization"] == f"Bearer {TEST_KEY}"
    assert widget.key.placeholder == "sk-..." and widget._typed is None


def test_a_second_key_replaces_the_first_and_blanks_are_no_key(widget, sandbox):
    from_the_page(widget, "sk-first-key-000000000000")
    from_the_page(widget, f"  {TEST_KEY}  ")
    widget.base_url.value = sandbox.base_url
    widget.connect_button.click()
    assert sandbox.requests_to("/models")[-1].headers["authorization"] == f"Bearer {TEST_KEY}"
    from_the_page(widget, "   ")
    widget.connect_button.click()
    assert "Enter an API key" in widget.status.value


@pytest.mark.parametrize(
    ("base_url", "words"),
    [
        ("http://[::1", "Invalid IPv6 URL"),
        ("http://host:99999/v1", "Port out of range"),
    ],
)
def test_a_failure_of_any_kind_stays_on_the_status_line(widget, base_url, words):
    widget.key.value = TEST_KEY
    widget.base_url.value = base_url
    widget.connect_button.click()  # raises nothing into the cell
    assert "InvalidInputError" in widget.status.value and words in widget.status.value
    assert widget.client is None and not widget.connect_button.disabled
    assert TEST_KEY not in widget.status.value and TEST_KEY not in all_state(widget)


def test_an_unexpected_error_is_shown_redacted_not_raised(widget, sandbox, monkeypatch):
    def broken(self, secret):
        raise RuntimeError(f"boom with {secret.reveal()}")

    monkeypatch.setattr(CredentialWidget, "_client", broken)
    widget.key.value = TEST_KEY
    widget.connect_button.click()
    assert "RuntimeError" in widget.status.value and f"boom with sk-...{TEST_KEY[-4:]}" in widget.status.value
    assert TEST_KEY not in widget.status.value
