"""Shared fixtures: the sandbox on loopback, clients wired to it, the spec, an IPython shell."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

import openai_widgets as ow
from openai_widgets.sandbox import Sandbox
from tests.support.evals import forget_eval_files

# A key shaped like a real one; tests check that it never shows up anywhere.
TEST_KEY = "sk-test-" + "Zq7Xw2Lm9Pk4Rt6Yv8Bn3Cd5Fg1Hj0Ks"

os.environ.pop("OPENAI_API_KEY", None)  # tests never use a real key
os.environ.pop("OPENAI_BASE_URL", None)
os.environ.pop("OPENAI_ADMIN_KEY", None)

# Property tests draw the same examples on every run, so a run's result does not depend on
# luck, and keep no example database in the clone. `--hypothesis-profile=explore` draws new
# examples each run, to look for inputs the fixed ones miss.
settings.register_profile("default", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False, database=None)


@pytest.fixture(scope="session", autouse=True)
def _no_vocabulary_downloads():
    """Tests never reach the internet: tiktoken may not fetch (or read a cached copy of) its
    vocabularies, so token counts are the package's estimate unless a test installs the tiny
    vocabulary of tests/support/tokenizer.py."""
    try:
        from tiktoken import load
    except ImportError:  # the estimate is all there is
        yield
        return

    def refuse(blobpath, expected_hash=None):
        raise OSError(f"tests do not download {blobpath}")

    original, load.read_file_cached = load.read_file_cached, refuse
    yield
    load.read_file_cached = original


@pytest.fixture(scope="session")
def _sandbox_server():
    with Sandbox(job_seconds=0.6, batch_seconds=0.3) as server:
        yield server


@pytest.fixture
def sandbox(_sandbox_server):
    """The session's sandbox, with an empty request log and no faults."""
    server = _sandbox_server
    server.clear_faults()
    server.clear_requests()
    server.configure(latency=0.0, jitter=0.0, error_rates={}, rpm=None, tpm=None, stream_interval=0.0)
    server.api_keys = None
    yield server
    server.clear_faults()
    forget_eval_files(server)


@pytest.fixture
def sleeps():
    """Delays the client asked to sleep (retries do not really wait in tests)."""
    return []


@pytest.fixture
def client(sandbox, sleeps):
    """A client on the sandbox whose retry waits are recorded instead of slept.

    The sandbox follows OpenAI's spec, so it is sent what OpenAI is sent (as with
    `ow.connect(sandbox=True)`); tests of what other servers get make their own client.
    """
    with ow.Client(
        api_key=TEST_KEY, base_url=sandbox.base_url, max_retries=2, timeout=10, openai_server=True
    ) as made:
        made.sleep = sleeps.append
        yield made


@pytest.fixture
def connected(client):
    """`client` as the default client for module-level functions and magics."""
    ow.set_client(client)
    yield client
    ow.set_client(None)


@pytest.fixture(scope="session")
def spec():
    from tests.support.spec import load_spec

    return load_spec()


@pytest.fixture(scope="session")
def docs_site(tmp_path_factory):
    """The documentation site, built once per run (the notebooks execute; it takes minutes)."""
    for needed in ("mkdocs", "mkdocs_jupyter", "mkdocstrings"):
        pytest.importorskip(needed)
    from tests.support.docs_site import build_site

    return build_site(tmp_path_factory.mktemp("docs") / "site")


@pytest.fixture
def ip(connected):
    """A real IPython shell with the extension loaded, connected to the sandbox."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "openai_widgets")
    yield shell
    shell.run_line_magic("unload_ext", "openai_widgets")
    shell.config.pop("OpenAIMagics", None)  # %config settings must not leak into the next test
    for name in [n for n in shell.user_ns if not n.startswith("_") and n not in shell.user_ns_hidden]:
        shell.user_ns.pop(name, None)


def pytest_sessionstart(session):
    """Note the checkout's state, which tests/e2e/test_clean_clone.py compares at the end."""
    from tests.support.clone import STATE_AT_START, checkout_state

    state = checkout_state()
    if state is not None:
        session.config.stash[STATE_AT_START] = state


def pytest_collection_modifyitems(items):
    """The clean-clone check runs after every other test."""
    last = [item for item in items if item.nodeid.startswith("tests/e2e/test_clean_clone.py")]
    items[:] = [item for item in items if item not in last] + last


def pytest_terminal_summary(terminalreporter):
    """Print the fault suite's table: cases tried, survived, rows lost."""
    from tests.support.faults import REPORT

    table = REPORT.table()
    if table:
        terminalreporter.section("fault suite")
        terminalreporter.write_line(table)
