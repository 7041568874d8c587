"""Medians, ratios, the issue's targets and the Markdown table, from the samples of one run.

Pure functions of the samples (dicts as :mod:`side_by_side` records them), so they are unit
tested and the JSON file can be re-reported without re-running anything.

Every figure of a (dataset, case) is the median over its repeats, except peak RSS, which is
the largest seen (a memory target must hold on every run, not on the median one). Ratios are
of medians taken in the same run: the machine's speed drifts up to 2x between quiet and busy
periods, so only same-run ratios compare.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MB = 1_000_000
BENCH_DATASETS = ("bench_1m", "bench_10m")
CASE_LABELS = {
    "fetch_only": "(a) fetch only (driver, arraysize 10,000)",
    "our_operator": "(b) our operator, one task (checkpointed: primary-key order)",
    "our_operator_unordered": "(b') our operator, checkpoint=False (unordered read)",
    "transport_parallel": "(c) 4 tables at once, parallel_tables=4 (aggregate)",
    "google_operator": "(d) OracleToGCSOperator (json, gzip)",
    "dlt_source": "(e) dlt sql_database (pyarrow) -> filesystem jsonl",
}
#: (name, numerator case, denominator case) of the same-run ratios reported per dataset
RATIOS = (
    ("ours / fetch-only", "our_operator", "fetch_only"),
    ("unordered ours / fetch-only", "our_operator_unordered", "fetch_only"),
    ("4 tables / one table", "transport_parallel", "our_operator"),
    ("ours / OracleToGCSOperator", "our_operator", "google_operator"),
    ("ours / dlt", "our_operator", "dlt_source"),
)
#: peak RSS at 10M over 1M rows that still counts as flat
FLAT_RSS_TOLERANCE = 1.10


@dataclass(frozen=True)
class CaseSummary:
    """One (dataset, case): medians over its successful runs, or why it has none."""

    dataset: str
    case: str
    runs: int
    rows: int | None = None
    rows_per_s: float | None = None
    cpu_us_per_row: float | None = None
    #: the Oracle emulator's CPU during the case, per row (the stand-in's share of the work)
    emulator_cpu_us_per_row: float | None = None
    peak_rss_mb: float | None = None
    disk_write_bytes: float | None = None
    uploaded_bytes: float | None = None
    #: "unsupported: ..." or "error: ..." when no run succeeded
    note: str = ""


def median(values: Iterable[float]) -> float | None:
    """The median, or None for no values (a case that never ran)."""
    found = list(values)
    return statistics.median(found) if found else None


def _ok(sample: Mapping[str, Any]) -> bool:
    return "error" not in sample and "unsupported" not in sample and bool(sample.get("rows"))


def summarize_case(dataset: str, case: str, samples: Sequence[Mapping[str, Any]]) -> CaseSummary:
    """Medians of one case's samples on one dataset (peak RSS: the largest)."""
    good = [s for s in samples if _ok(s)]
    if not good:
        notes = [f"unsupported: {s['unsupported']}" for s in samples if "unsupported" in s]
        notes += [f"error: {s['error']}" for s in samples if "error" in s]
        return CaseSummary(dataset, case, runs=0, note=notes[0] if notes else "no runs")
    # None where a peak was not observed (a task process the sampler missed)
    peaks = [s["peak_rss_mb"] for s in good if s.get("peak_rss_mb") is not None]
    return CaseSummary(
        dataset=dataset,
        case=case,
        runs=len(good),
        rows=int(good[0]["rows"]),
        rows_per_s=median(s["rows"] / s["seconds"] for s in good),
        cpu_us_per_row=median(s["cpu_s"] / s["rows"] * 1e6 for s in good),
        emulator_cpu_us_per_row=median(
            s["oracle_emulator_cpu_s"] / s["rows"] * 1e6
            for s in good
            if s.get("oracle_emulator_cpu_s") is not None
        ),
        peak_rss_mb=max(peaks, default=None),
        disk_write_bytes=median(s["disk_write_bytes"] for s in good),
        uploaded_bytes=median(s.get("uploaded_bytes", 0) for s in good),
        note=f"{len(samples) - len(good)} run(s) failed" if len(good) < len(samples) else "",
    )


def summarize(samples: Sequence[Mapping[str, Any]]) -> list[CaseSummary]:
    """A summary per (dataset, case), datasets in the order they ran, cases in label order."""
    datasets = list(dict.fromkeys(s["dataset"] for s in samples))
    cases = [c for c in CASE_LABELS if any(s["case"] == c for s in samples)]
    found = []
    for dataset in datasets:
        for case in cases:
            mine = [s for s in samples if s["dataset"] == dataset and s["case"] == case]
            if mine:
                found.append(summarize_case(dataset, case, mine))
    return found


def _find(summaries: Sequence[CaseSummary], dataset: str, case: str) -> CaseSummary | None:
    for summary in summaries:
        if summary.dataset == dataset and summary.case == case:
            return summary
    return None


def ratio(
    summaries: Sequence[CaseSummary], dataset: str, numerator: str, denominator: str
) -> float | None:
    """rows/s of ``numerator`` over ``denominator`` on ``dataset``; None if either is missing."""
    top, bottom = _find(summaries, dataset, numerator), _find(summaries, dataset, denominator)
    if top is None or bottom is None or not top.rows_per_s or not bottom.rows_per_s:
        return None
    return top.rows_per_s / bottom.rows_per_s


def ratios(summaries: Sequence[CaseSummary]) -> dict[str, dict[str, float | None]]:
    """Every ratio of :data:`RATIOS` per dataset."""
    datasets = list(dict.fromkeys(s.dataset for s in summaries))
    return {
        dataset: {name: ratio(summaries, dataset, top, bottom) for name, top, bottom in RATIOS}
        for dataset in datasets
    }


@dataclass(frozen=True)
class Target:
    """One of the issue's targets as measured: ``met`` is None when it could not be judged."""

    name: str
    value: float | None
    goal: str
    met: bool | None


def _at_least(name: str, value: float | None, goal: float, text: str) -> Target:
    return Target(name, value, text, None if value is None else value >= goal)


def targets(summaries: Sequence[CaseSummary]) -> list[Target]:
    """The issue's targets that this run's data can judge, on the benchmark-shape datasets."""
    found = []
    for dataset in BENCH_DATASETS:
        if _find(summaries, dataset, "our_operator") is None:
            continue
        found += [
            _at_least(f"{dataset}: ours / fetch-only",
                      ratio(summaries, dataset, "our_operator", "fetch_only"), 0.8, ">= 0.8"),
            _at_least(f"{dataset}: 4 tables / one table",
                      ratio(summaries, dataset, "transport_parallel", "our_operator"), 1.5,
                      ">= 1.5"),
            _at_least(f"{dataset}: ours / OracleToGCSOperator",
                      ratio(summaries, dataset, "our_operator", "google_operator"), 10.0,
                      ">= 10"),
            Target(f"{dataset}: ours / dlt",
                   value := ratio(summaries, dataset, "our_operator", "dlt_source"), "> 1",
                   None if value is None else value > 1.0),
        ]  # fmt: skip
    big, small = (_find(summaries, d, "our_operator") for d in ("bench_10m", "bench_1m"))
    if big is not None and big.peak_rss_mb is not None:
        found.append(
            Target("bench_10m: our peak RSS MB", big.peak_rss_mb, "<= 300", big.peak_rss_mb <= 300)
        )
        if small is not None and small.peak_rss_mb:
            growth = big.peak_rss_mb / small.peak_rss_mb
            found.append(
                Target("peak RSS 10M / 1M (flat)", growth, f"<= {FLAT_RSS_TOLERANCE}",
                       growth <= FLAT_RSS_TOLERANCE)
            )  # fmt: skip
    ours = [s for s in summaries if s.case == "our_operator" and s.disk_write_bytes is not None]
    if ours:
        written = max(s.disk_write_bytes or 0.0 for s in ours)
        found.append(Target("our local disk bytes (any dataset)", written, "0", written == 0))
    return found


def _number(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _megabytes(value: float | None) -> str:
    return "-" if value is None else f"{value / MB:,.1f}"


def markdown_table(summaries: Sequence[CaseSummary]) -> str:
    """The results table: one row per (dataset, case)."""
    lines = [
        "| dataset | case | rows | rows/s | client CPU us/row | peak RSS MB "
        "| local disk MB | uploaded MB | Oracle emulator CPU us/row | runs |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in summaries:
        if s.runs == 0:
            label = CASE_LABELS.get(s.case, s.case)
            lines.append(f"| {s.dataset} | {label} | {s.note} | | | | | | | 0 |")
            continue
        lines.append(
            f"| {s.dataset} | {CASE_LABELS.get(s.case, s.case)} | {_number(s.rows)} "
            f"| {_number(s.rows_per_s)} | {_number(s.cpu_us_per_row, 2)} "
            f"| {_number(s.peak_rss_mb)} | {_megabytes(s.disk_write_bytes)} "
            f"| {_megabytes(s.uploaded_bytes)} | {_number(s.emulator_cpu_us_per_row, 2)} "
            f"| {s.runs} |"
        )
    return "\n".join(lines)


def markdown_ratios(table: Mapping[str, Mapping[str, float | None]]) -> str:
    """Same-run ratios of rows/s, one row per dataset."""
    names = [name for name, _, _ in RATIOS]
    lines = ["| dataset | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for dataset, values in table.items():
        cells = " | ".join(_number(values.get(name), 2) for name in names)
        lines.append(f"| {dataset} | {cells} |")
    return "\n".join(lines)


def markdown_targets(found: Sequence[Target]) -> str:
    lines = ["| target | measured | goal | met |", "|---|---:|---|---|"]
    for target in found:
        met = "?" if target.met is None else ("yes" if target.met else "NO")
        lines.append(f"| {target.name} | {_number(target.value, 2)} | {target.goal} | {met} |")
    return "\n".join(lines)


def markdown_machine(machine: Mapping[str, Any]) -> str:
    """One line describing the machine the figures come from."""
    return (
        f"Machine: {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores, "
        f"{machine.get('memory_gib', '?')} GiB, Python {machine.get('python', '?')}, "
        f"python-oracledb {machine.get('oracledb', '?')}; load average "
        f"{machine.get('load_start', '?')} at the start, {machine.get('load_end', '?')} at the end."
    )
