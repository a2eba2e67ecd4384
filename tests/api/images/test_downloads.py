"""Image answers that are URLs: on the server's own host, relative, `data:`, or failing.

Whatever the URL, the download never carries the key; a `data:` URL (some compatible
servers send images that way) is decoded without any request; a failure names the URL,
the status or connection error, the server's own words, and what to do.
"""

from __future__ import annotations

import base64
import urllib.parse

import httpx
import pytest

import openai_widgets as ow
from tests.conftest import TEST_KEY
from tests.support.media import encoded, picture

PNG = encoded(picture((8, 6)))


class Server:
    """A compatible server on `https://llm.test/v1` whose image answers hold `url`; other GETs are downloads."""

    def __init__(self, url: str, download=None) -> None:
        self.url = url
        self.download = download or (lambda request: httpx.Response(200, content=PNG))
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        if request.method == "POST":
            return httpx.Response(200, json={"created": 1, "data": [{"url": self.url}]})
        return self.download(request)


def generate(server: Server, **settings):
    with ow.Client(
        api_key=TEST_KEY,
        base_url="https://llm.test/v1",
        transport=httpx.MockTransport(server),
        max_retries=0,
        **settings,
    ) as client:
        return client.generate_images("dots", model="local-diffusion")


def test_a_url_on_the_servers_own_host_is_fetched_without_the_key():
    server = Server("https://llm.test/v1/generated/abc.png")
    result = generate(server)
    assert result[0].size == (8, 6)
    api, download = server.seen
    assert api.headers["authorization"] == f"Bearer {TEST_KEY}"
    assert str(download.url) == "https://llm.test/v1/generated/abc.png"
    assert "authorization" not in download.headers


@pytest.mark.parametrize(
    ("url", "fetched"),
    [
        ("/generated/abc.png", "https://llm.test/generated/abc.png"),
        ("generated/abc.png", "https://llm.test/v1/generated/abc.png"),
    ],
)
def test_a_relative_url_is_read_against_the_base_url(url, fetched):
    server = Server(url)
    assert generate(server)[0].size == (8, 6)
    assert str(server.seen[1].url) == fetched
    assert "authorization" not in server.seen[1].headers


@pytest.mark.parametrize(
    "url",
    [
        "data:image/png;base64," + base64.b64encode(PNG).decode(),
        "data:image/png," + urllib.parse.quote_from_bytes(PNG),
    ],
)
def test_data_urls_are_decoded_without_a_request(url):
    server = Server(url)
    result = generate(server)
    assert result[0].size == (8, 6) and result[0].tobytes() == picture((8, 6)).tobytes()
    assert [request.method for request in server.seen] == ["POST"]


def test_a_data_url_holding_svg_says_so():
    svg = b"<svg xmlns='http://www.w3.org/2000/svg' width='4' height='4'/>"
    server = Server("data:image/svg+xml;base64," + base64.b64encode(svg).decode())
    with pytest.raises(
        ow.APIResponseValidationError, match=r"is not an image that can be read \(an SVG drawing"
    ):
        generate(server)


def test_a_broken_data_url_is_reported():
    with pytest.raises(ow.APIResponseValidationError, match="data: URL that is not valid base64"):
        generate(Server("data:image/png;base64,%%%"))


def test_a_key_protected_url_on_the_own_host_says_the_key_is_not_sent():
    server = Server(
        "https://llm.test/v1/files/img-1/content",
        lambda request: httpx.Response(401, json={"error": {"message": "Missing bearer token"}}),
    )
    with pytest.raises(ow.APIConnectionError) as caught:
        generate(server)
    assert str(caught.value) == (
        "image 1 of 1: could not download https://llm.test/v1/files/img-1/content: status 401 Unauthorized "
        "(Missing bearer token); the key is never sent with downloads: ask for base64 instead "
        "(response_format='b64_json') or have the server serve its images without a key."
    )
    assert TEST_KEY not in str(caught.value)


def test_an_expired_url_elsewhere_says_to_generate_again():
    server = Server(
        "https://images.example/abc.png?sig=secret",
        lambda request: httpx.Response(
            403, text="Request has expired", headers={"content-type": "text/plain"}
        ),
    )
    with pytest.raises(ow.APIConnectionError) as caught:
        generate(server)
    assert str(caught.value) == (
        "image 1 of 1: could not download https://images.example/abc.png: status 403 Forbidden "
        "(Request has expired); the API's image URLs expire (OpenAI's after an hour): generate again."
    )
    assert "secret" not in str(caught.value)  # a signature in the query is not repeated


def test_a_connection_failure_names_the_url_and_the_reason():
    def refuse(request):
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(ow.APIConnectionError) as caught:
        generate(Server("http://10.0.0.7:7860/file=out/abc.png", refuse))
    assert str(caught.value) == (
        "image 1 of 1: could not download http://10.0.0.7:7860/file=out/abc.png: ConnectError "
        "(connection refused); check the network and try again."
    )


def test_other_schemes_are_refused():
    with pytest.raises(ow.APIResponseValidationError, match="a URL that is not http"):
        generate(Server("ftp://llm.test/abc.png"))


def test_sandbox_urls_on_its_own_host_carry_no_key(sandbox, client):
    result = client.generate_images("a harbor", size="256x256", response_format="url")
    (download,) = sandbox.requests_to("/sandbox/images/")
    assert download.status == 200 and "authorization" not in download.headers
    assert urllib.parse.urlsplit(sandbox.base_url).netloc in download.headers["host"]
    assert result[0].size == (256, 256)
