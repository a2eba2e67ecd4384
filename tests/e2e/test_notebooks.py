"""Every notebook in notebooks/ runs top to bottom on the sandbox, with no key, in a real kernel.

Cells declare what they must show with tags, and this test holds them to it:
`expect-dataframe` (an HTML table), `expect-image` (a PNG), `expect-widget` (a widget view),
`expect-audio` (an audio player), `expect-text` (some text output), `expect-uncut` (a
table whose cells are shown whole, not cut short with "..."). Each runs in the
notebooks folder, as when opened in JupyterLab, and must leave no file there.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

CHECKS = {
    "expect-dataframe": lambda out: "<table" in out.get("data", {}).get("text/html", ""),
    "expect-image": lambda out: (
        "image/png" in out.get("data", {}) or "<img" in out.get("data", {}).get("text/html", "")
    ),
    "expect-widget": lambda out: "application/vnd.jupyter.widget-view+json" in out.get("data", {}),
    "expect-audio": lambda out: "<audio" in out.get("data", {}).get("text/html", ""),
    "expect-uncut": lambda out: (
        "<table" in out.get("data", {}).get("text/html", "") and "...</td>" not in out["data"]["text/html"]
    ),
    "expect-text": lambda out: bool(
        out.get("text") or out.get("data", {}).get("text/plain") or out.get("data", {}).get("text/markdown")
    ),
}


def run_notebook(path: Path) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["MPLBACKEND"] = "Agg"
    old = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)  # the kernel inherits this environment: no key, the package importable
    try:
        NotebookClient(
            notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
        ).execute()
    finally:
        os.environ.clear()
        os.environ.update(old)
    return notebook


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_and_shows_what_it_promises(path):
    before = files_under(path.parent)
    notebook = run_notebook(path)
    left = files_under(path.parent) - before
    assert not left, f"{path.name} left files behind: {sorted(left)} (write them to a temporary folder)"
    assert notebook.cells[0].cell_type == "markdown", "a notebook opens with a short explanation"
    tagged = 0
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        outputs = cell.get("outputs", [])
        errors = [o for o in outputs if o.get("output_type") == "error"]
        assert not errors, f"cell {index} raised {errors[0].get('ename')}: {errors[0].get('evalue')}"
        for tag in cell.metadata.get("tags", []):
            if tag in CHECKS:
                tagged += 1
                assert any(CHECKS[tag](o) for o in outputs), f"cell {index} is tagged {tag} but shows none"
    assert tagged, f"{path.name} declares no expected outputs (expect-* tags)"


def files_under(folder: Path) -> set[str]:
    """Every file below `folder` (Jupyter's own checkpoints aside), as relative paths."""
    return {
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts
    }


def test_saved_notebooks_hold_no_outputs_or_errors():
    """Notebooks are stored clean, so diffs stay readable and nothing stale is shipped."""
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert not cell.outputs, f"{path.name} is saved with outputs"
