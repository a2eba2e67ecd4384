"""The API areas keep `import openai_widgets` light and their public names reachable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openai_widgets as ow

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_package_loads_no_pil_pandas_or_ipython_display():
    code = (
        "import sys, openai_widgets as ow\n"
        "ow.Client.generate_images, ow.Client.transcribe, ow.ImageResult\n"
        "names = ('PIL', 'pandas', 'numpy', 'ipywidgets', 'IPython.display')\n"
        "heavy = [m for m in names if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


# Internals of the API areas, and the asynchronous HTTP stack only bulk calls use: each loads
# when a method that needs it runs, not when the package is imported.
AREA_INTERNALS = (
    "openai_widgets._responses.stream",
    "openai_widgets._responses.result",
    "openai_widgets._evals.chart",
    "openai_widgets._evals.criteria",
    "openai_widgets._costs.estimate",
    "openai_widgets._media.image_rules",
    "openai_widgets._tuning.monitor",
    "openai_widgets._files.parts",
    "openai_widgets._structured.formats",
    "openai_widgets.bulk",
    "openai_widgets.bulk.batch_api",
    "asyncio",
    "httpcore",
)


def test_importing_the_package_loads_no_area_internals():
    code = (
        "import sys, openai_widgets\n"
        f"print(','.join(m for m in {AREA_INTERNALS!r} if m in sys.modules))\n"
        "from openai_widgets._core import usage\n"
        "print(usage._recorder is not None)"  # the usage ledger is listening all the same
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == ["", "True"]


def test_lazily_loaded_names_are_the_areas_own():
    from openai_widgets._costs.estimate import CostEstimate
    from openai_widgets._costs.prices import set_prices
    from openai_widgets._files.errors import UploadError
    from openai_widgets._responses.result import Response
    from openai_widgets.bulk import BulkError

    assert (ow.CostEstimate, ow.set_prices, ow.UploadError, ow.Response, ow.BulkError) == (
        CostEstimate,
        set_prices,
        UploadError,
        Response,
        BulkError,
    )
    for name in ow.__all__:
        assert getattr(ow, name) is not None, name


def test_tab_completion_offers_the_lazily_loaded_names():
    code = "import openai_widgets as ow\nprint(sorted({'CostEstimate', 'Response', 'BulkError', 'chat'} - set(dir(ow))))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_public_names():
    for name in ("generate_images", "edit_image", "image_variations", "transcribe", "translate", "speak"):
        assert name in ow.__all__
        assert callable(getattr(ow, name))
        assert callable(getattr(ow.Client, name))
    assert "ImageResult" in ow.__all__
    assert "Speech" in ow.__all__
    from openai_widgets._media.speech import Speech

    assert ow.Speech is Speech
    from openai_widgets.widgets import AudioPanel, ImagesPanel

    assert (ImagesPanel.title, AudioPanel.title) == ("Images", "Audio")
