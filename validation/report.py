"""The printed table and the markdown report (``docs/validation.md``) of a validation run."""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path

from validation.plots import plot_measurement
from validation.stats import Measurement, Summary, summarise

CORPUS = Path(__file__).parent / "corpus"

COLUMNS = (
    "family",
    "measurement",
    "n",
    "median",
    "95th pct",
    "worst",
    "±1σ",
    "±2σ",
    "not measured",
    "target",
    "result",
)


@dataclass(frozen=True)
class FamilyResult:
    """The measurements one family module returned, its run time (s), its docstring and the
    traceback when it failed to run."""

    name: str
    measurements: tuple[Measurement, ...]
    seconds: float
    doc: str = ""
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and all(summarise(m).passed for m in self.measurements)


def _number(value: float, units: str = "") -> str:
    text = "–" if value != value else f"{value:.3g}"
    return f"{text} {units}".strip() if units and text != "–" else text


def _fraction(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def target_text(m: Measurement) -> str:
    """The targets of one measurement as one short phrase."""
    parts = []
    if m.median_max is not None:
        parts.append(f"median ≤ {m.median_max:g}")
    if m.p95_max is not None:
        parts.append(f"95th ≤ {m.p95_max:g}")
    if m.coverage_range is not None:
        parts.append(f"±1σ {m.coverage_range[0]:.0%}–{m.coverage_range[1]:.0%}")
    return ", ".join(parts) or "reported only"


def row(m: Measurement, s: Summary) -> tuple[str, ...]:
    """One table row: the error distribution, coverage, targets and the verdict."""
    verdict = "PASS" if s.passed else "FAIL: " + "; ".join(s.failures)
    return (
        m.family,
        m.name,
        str(s.n),
        _number(s.median, m.units),
        _number(s.p95, m.units),
        _number(s.worst, m.units),
        _fraction(s.coverage_1sigma),
        _fraction(s.coverage_2sigma),
        str(m.n_not_measured),
        target_text(m),
        verdict,
    )


def _rows(results: list[FamilyResult]) -> list[tuple[str, ...]]:
    rows = []
    for result in results:
        if result.error is not None:
            rows.append(
                (result.name, "(did not run)", *["–"] * 8, "FAIL: " + _last_line(result.error))
            )
        rows.extend(row(m, summarise(m)) for m in result.measurements)
    return rows


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "error"


def format_table(results: list[FamilyResult]) -> str:
    """Fixed-width text table of every measurement, for the terminal."""
    rows = [COLUMNS, *_rows(results)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS) - 1)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r[:-1], widths)) + "  " + r[-1] for r in rows]
    timing = ", ".join(f"{r.name} {r.seconds:.0f} s" for r in results)
    verdict = "every target met" if all(r.passed for r in results) else "TARGETS MISSED"
    return "\n".join([*lines, "", f"run time: {timing}", verdict])


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _markdown_table(rows: list[tuple[str, ...]]) -> list[str]:
    cells = [COLUMNS, tuple("---" for _ in COLUMNS), *rows]
    return ["| " + " | ".join(c.replace("|", "/") for c in r) + " |" for r in cells]


def corpus_fingerprints(directory: Path = CORPUS) -> str:
    """One sentence naming each folder of simulated inputs cached in ``directory`` with its file
    count and the first 12 hex digits of the SHA-256 over its files' relative paths and bytes, so
    two runs can be checked for reading the same images."""
    folders = sorted(p for p in Path(directory).glob("*") if p.is_dir())
    if not folders:
        return "No simulated inputs were cached in ``validation/corpus/`` for this run."
    parts = []
    for folder in folders:
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        digest = hashlib.sha256()
        for file in files:
            digest.update(file.relative_to(folder).as_posix().encode())
            digest.update(file.read_bytes())
        parts.append(f"{folder.name} ({len(files)} files, {digest.hexdigest()[:12]})")
    return (
        "Simulated inputs cached in ``validation/corpus/`` (made on first use, not committed; "
        "SHA-256 over each folder's file names and bytes): " + "; ".join(parts) + "."
    )


def write_report(
    results: list[FamilyResult], out: Path, *, fast: bool, corpus: Path = CORPUS
) -> None:
    """Write the markdown report and one PNG of error vs covariates per measurement; the report
    names the cached simulated inputs it read (:func:`corpus_fingerprints` of ``corpus``)."""
    out = Path(out)
    image_dir = out.parent / "images" / "validation"
    image_dir.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Validation against an independent corpus",
        "",
        f"Generated by `python -m validation{' --fast' if fast else ''}` "
        f"on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Errors are measured minus "
        "truth; ±1σ/±2σ are the fractions of cases whose |error| lies within the stated 1σ/2σ; "
        "cases the method declined (ok=False) are counted under 'not measured'.",
        "",
        *_markdown_table(_rows(results)),
        "",
        corpus_fingerprints(corpus),
        "",
    ]
    for result in results:
        lines += [
            f"## {result.name}",
            "",
            result.doc or "(no description)",
            "",
            f"Run time {result.seconds:.0f} s.",
            "",
        ]
        for m in result.measurements:
            image = plot_measurement(m, image_dir / f"{slug(m.family)}_{slug(m.name)}.png")
            if image is not None:
                lines += [f"![{m.name}]({image.relative_to(out.parent).as_posix()})", ""]
    out.write_text("\n".join(lines), encoding="utf-8")
