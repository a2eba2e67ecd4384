"""Mutation testing of the safety-critical modules: does each module's own test file notice a bug?

mutmut (the `mutation` extra: `pip install -e ".[mutation]"`) changes one thing at a time in
a module (a `<` into `<=`, an `and` into `or`, a string, a return value, a deleted call)
and runs the module's own tests against each change, a "mutant". A mutant the tests do
not notice ("survived") is a bug they would let through, or a change that cannot be told
apart from the original ("equivalent"). The equivalent ones are listed, each with its
reason, in docs/mutation.md; the score leaves them out:

    score = (killed + timed out) / (mutants - equivalent)

where a mutant no test even reaches counts as survived. Each module is mutated in a copy of
the project in a temporary folder, so the worktree is never changed.

    python tools/mutation.py secrets            # one module (see MODULES), its score
    python tools/mutation.py secrets --show     # ... and the diff of every survivor
    python tools/mutation.py --all              # every module, one table
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENTS_DOC = ROOT / "docs" / "mutation.md"

# name -> (the module mutated, its own tests)
MODULES: dict[str, tuple[str, list[str]]] = {
    "secrets": ("openai_widgets/_core/secrets.py", ["tests/core/test_secrets.py"]),
    "paths": ("openai_widgets/_core/paths.py", ["tests/core/test_paths.py"]),
    "retries": ("openai_widgets/_core/retries.py", ["tests/core/test_retries.py"]),
    "errors": ("openai_widgets/_core/errors.py", ["tests/core/test_errors.py"]),
    "tokens": ("openai_widgets/_embeddings/tokens.py", ["tests/api/embeddings/test_tokens.py"]),
    "pacing": (
        "openai_widgets/bulk/pacing.py",
        ["tests/bulk/test_pacing.py", "tests/bulk/test_pacing_rules.py", "tests/bulk/test_pacing_units.py"],
    ),
}
KILLED = {"killed", "timeout", "caught by type check"}
_EQUIVALENT = re.compile(r"^- `(?P<function>[^`]+)`: `(?P<original>.+?)` -> `(?P<mutated>.*?)`: (?P<why>.+)$")


@dataclass
class Equivalent:
    module: str
    function: str
    original: str
    mutated: str
    why: str


@dataclass
class Outcome:
    module: str
    statuses: dict[str, str] = field(default_factory=dict)  # mutant name -> mutmut's status
    diffs: dict[str, tuple[str, str]] = field(default_factory=dict)  # survivor -> (original, mutated)
    equivalent: set[str] = field(default_factory=set)
    seconds: float = 0.0

    @property
    def counted(self) -> list[str]:
        return [m for m, s in self.statuses.items() if s != "skipped" and m not in self.equivalent]

    @property
    def killed(self) -> int:
        return sum(1 for m in self.counted if self.statuses[m] in KILLED)

    @property
    def score(self) -> float:
        return self.killed / len(self.counted) if self.counted else 1.0

    def survivors(self) -> list[str]:
        return [m for m in self.counted if self.statuses[m] not in KILLED]


def equivalents() -> list[Equivalent]:
    """The equivalent mutants listed in docs/mutation.md, under one `### <module>` heading each."""
    found, module = [], None
    for line in EQUIVALENTS_DOC.read_text().splitlines():
        if line.startswith("### "):
            module = line[4:].strip().strip("`")
        elif module and (match := _EQUIVALENT.match(line)):
            found.append(Equivalent(module, **match.groupdict()))
    return found


def function_of(mutant: str) -> str:
    """`pkg.mod.x_mask__mutmut_4` -> `mask`; `pkg.mod.xǁSecretǁ__init____mutmut_2` -> `Secret.__init__`."""
    name = mutant.rpartition(".")[2].rsplit("__mutmut_", 1)[0]
    if name.startswith("x\u01c1"):
        cls, _, method = name[2:].partition("\u01c1")
        return f"{cls}.{method}"
    return name.removeprefix("x_")


def changed_lines(diff: str) -> tuple[str, str]:
    """The original and mutated code of a unified diff, each as one stripped line."""
    removed = [
        line[1:].strip() for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")
    ]
    added = [
        line[1:].strip() for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")
    ]
    return " ".join(removed), " ".join(added)


def prepare(work: Path, module: str, tests: list[str]) -> None:
    """A copy of the package and the tests, configured to mutate `module` against `tests` only."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    shutil.copytree(ROOT / "openai_widgets", work / "openai_widgets", ignore=ignore)
    shutil.copytree(ROOT / "tests", work / "tests", ignore=ignore)
    config = (ROOT / "pyproject.toml").read_text()
    config += (
        "\n[tool.mutmut]\n"
        'source_paths = ["openai_widgets"]\n'
        f'only_mutate = ["{module}"]\n'
        f"pytest_add_cli_args_test_selection = {tests!r}\n".replace("'", '"')
        + 'pytest_add_cli_args = ["-p", "no:cacheprovider", "-x", "-q"]\n'
        "use_git_change_detection = false\n"
    )
    (work / "pyproject.toml").write_text(config)


def mutmut(work: Path, *args: str, log=None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "mutmut", *args],
        cwd=work,
        stdout=log or subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    if done.returncode not in (0, 1) and args[0] != "run":
        raise SystemExit(f"mutmut {' '.join(args)} failed:\n{done.stdout}")
    return done.stdout or ""


def run_module(name: str, *, keep: Path | None = None, tests: list[str] | None = None) -> Outcome:
    module, own_tests = MODULES[name]
    tests = tests or own_tests
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"mutation-{name}-") as folder:
        work = keep or Path(folder)
        if keep is not None:
            shutil.rmtree(keep, ignore_errors=True)
            keep.mkdir(parents=True)
        prepare(work, module, tests)
        with open(work / "mutmut.log", "w") as log:
            mutmut(work, "run", log=log)
        outcome = Outcome(name)
        for line in mutmut(work, "results", "--all", "true").splitlines():
            mutant, _, status = line.strip().rpartition(": ")
            if mutant.startswith("openai_widgets."):
                outcome.statuses[mutant] = status
        if not outcome.statuses:
            raise SystemExit(f"no mutants ran for {name}; see {work / 'mutmut.log'} (use --keep)")
        listed = [e for e in equivalents() if e.module == name]
        for mutant, status in outcome.statuses.items():
            if status in KILLED or status == "skipped":
                continue
            original, mutated = changed_lines(mutmut(work, "show", mutant))
            outcome.diffs[mutant] = (original, mutated)
            if any(
                e.function == function_of(mutant) and e.original == original and e.mutated == mutated
                for e in listed
            ):
                outcome.equivalent.add(mutant)
    outcome.seconds = time.monotonic() - started
    return outcome


def report(outcomes: list[Outcome], *, show: bool) -> str:
    lines = [
        f"{'module':<9} {'mutants':>7} {'equivalent':>10} {'killed':>6} {'survived':>8} {'score':>6}  time"
    ]
    for o in outcomes:
        lines.append(
            f"{o.module:<9} {len(o.statuses):>7} {len(o.equivalent):>10} {o.killed:>6} "
            f"{len(o.survivors()):>8} {o.score:>6.1%}  {o.seconds:.0f} s"
        )
    if show:
        for o in outcomes:
            for mutant in o.survivors():
                original, mutated = o.diffs.get(mutant, ("?", "?"))
                lines.append(f"\n{mutant} [{o.statuses[mutant]}]\n  - {original}\n  + {mutated}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"modules to mutate: {', '.join(MODULES)}")
    parser.add_argument("--all", action="store_true", help="every module in MODULES")
    parser.add_argument("--show", action="store_true", help="print each surviving mutant's change")
    parser.add_argument("--keep", type=Path, help="mutate in this folder and keep it (for mutmut browse)")
    parser.add_argument("--tests", nargs="+", help="other test files than the module's own (one module)")
    parser.add_argument("--minimum", type=float, default=0.0, help="exit 1 if a score is below this (0.9)")
    args = parser.parse_args(argv)
    names = list(MODULES) if args.all else args.modules
    if not names or any(name not in MODULES for name in names):
        parser.error(f"name modules among {', '.join(MODULES)}, or --all")
    if (args.tests or args.keep) and len(names) > 1:
        parser.error("--tests and --keep take one module")
    outcomes = [run_module(name, keep=args.keep, tests=args.tests) for name in names]
    print(report(outcomes, show=args.show))
    return 1 if any(o.score < args.minimum for o in outcomes) else 0


if __name__ == "__main__":
    raise SystemExit(main())
