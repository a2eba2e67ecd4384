"""The image and audio areas keep `import openai_widgets` light and their public names reachable."""

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
