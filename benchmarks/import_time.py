"""How long `import openai_widgets` takes here and at another commit, measured in one run.

    python benchmarks/import_time.py [REF]     # REF defaults to the commit before the reshape

Each round imports the package in a fresh interpreter, alternating between this tree and a
checkout of REF (a temporary git worktree), so a busy machine slows both alike; the figure
that matters is the ratio of the medians.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = "import time; t = time.perf_counter(); import openai_widgets; print(time.perf_counter() - t)"


def seconds(tree: Path) -> float:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=tree, env={"PYTHONPATH": str(tree)}, capture_output=True, text=True
    )
    done.check_returncode()
    return float(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ref", nargs="?", default="8660476^", help="the commit to compare with")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        other = Path(folder) / "other"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(other), args.ref],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        try:
            seconds(ROOT), seconds(other)  # warm the file cache for both
            here, there = [], []
            for _ in range(args.rounds):
                here.append(seconds(ROOT))
                there.append(seconds(other))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=ROOT, check=True)
    now, then = statistics.median(here), statistics.median(there)
    print(f"import openai_widgets, median of {args.rounds} fresh interpreters each")
    print(f"  this tree        {now * 1000:8.1f} ms")
    print(f"  {args.ref:<16} {then * 1000:8.1f} ms")
    print(f"  ratio            {now / then:8.2f}  (1.00 = as fast)")


if __name__ == "__main__":
    main()
