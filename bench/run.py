"""Run the whole benchmark suite: generate (or reuse) the collections, measure every figure beside its
references, print the table and the growth lines, and write everything as JSON under bench/results/.

    .venv/bin/python -m bench [--sizes 1k,10k,100k] [--runs 7] [--only queue,answer] [--fresh]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import datetime, timezone
from importlib.metadata import version

from bench import figures
from bench.figures import Row, Sandbox
from bench.generate import ROOT, SIZES, generate
from bench.timing import Summary

RESULTS = ROOT / "bench" / "results"
FIGURES = ("cold_start", "startup_sync", "queue", "dashboard", "answer", "stall", "optimise")
"""In the order they run; ``startup_sync`` needs ``cold_start`` of the same size."""
OPTIMISE_SIZES = ("1k", "10k")
"""Fitting on the 1M-review history takes minutes per run; ``--optimise-all`` adds it."""


def measure(size: str, names: set[str], runs: int, slow_runs: int, optimise_all: bool, log) -> list[Row]:
    generated = generate(size, log=log)
    box = Sandbox.make(generated)
    log(f"[{size}] {generated.cards:,} cards, {generated.reviews:,} reviews, {generated.files} deck files")
    rows: list[Row] = []
    cold: Summary | None = None
    if "cold_start" in names or "startup_sync" in names:
        log(f"[{size}] cold start ...")
        started = figures.cold_start(box, slow_runs)
        cold = started[0].ours
        rows += started if "cold_start" in names else []
    if "startup_sync" in names:
        log(f"[{size}] deck load and sync ...")
        rows.append(figures.startup_sync(box, runs, cold))
    if "queue" in names:
        log(f"[{size}] queue ...")
        rows += figures.queue(box, runs)
    if "dashboard" in names:
        log(f"[{size}] dashboard ...")
        rows.append(figures.dashboard(box, slow_runs))
    if "answer" in names:
        log(f"[{size}] answers ...")
        rows += figures.answers(box, runs)
    if "stall" in names:
        log(f"[{size}] event-loop stalls in the TUI ...")
        rows += figures.stalls(box, slow_runs)
    if "optimise" in names and (size in OPTIMISE_SIZES or optimise_all):
        log(f"[{size}] FSRS optimisation ...")
        rows += figures.optimisation(box, runs)
    return rows


# ---------------------------------------------------------------- presenting


def amount(value: float, unit: str) -> str:
    if unit == "MB":
        return f"{value:.0f} MB"
    if value >= 10_000:
        return f"{value / 1000:.1f} s"
    if value >= 100:
        return f"{value:.0f} ms"
    if value >= 1:
        return f"{value:.1f} ms"
    return f"{value * 1000:.0f} µs"


def ratio_text(row: Row) -> str:
    r = row.ratio
    if row.figure == "startup_sync":
        return f"{r:.1%} of it"
    return f"{r:.2f}x" + (f" ({1 / r:.1f}x faster)" if r < 0.95 else "")


def table(rows: list[Row]) -> str:
    """The results as a Markdown table: one line per figure, size and reference."""
    lines = [
        "| figure | size | ours | reference | reference's | ours / reference | target | |",
        "| --- | --- | ---: | --- | ---: | ---: | --- | --- |",
    ]
    for row in rows:
        ours = f"{amount(row.ours.median, row.unit)} ±{row.ours.spread:.0%}"
        ref = f"{amount(row.ref.median, row.unit)} ±{row.ref.spread:.0%}"
        target = row.target_text if row.target_here or not row.target_text else f"({row.target_text})"
        lines.append(f"| {row.label} | {row.size} | {ours} | {row.reference} | {ref} | {ratio_text(row)} | {target} | {row.verdict} |")
    return "\n".join(lines)


def growth(rows: list[Row]) -> list[str]:
    """One line per figure: how ours and the reference grow from the smallest to the largest size."""
    out = []
    seen: dict[tuple[str, str, str], list[Row]] = {}
    for row in rows:
        seen.setdefault((row.figure, row.label, row.reference), []).append(row)
    for (figure, _, reference), group in seen.items():
        if len(group) < 2:
            continue
        group.sort(key=lambda r: list(SIZES).index(r.size) if r.size in SIZES else 0)
        first, last = group[0], group[-1]
        steps_ours = " → ".join(f"{amount(r.ours.median, r.unit)}" for r in group)
        steps_ref = " → ".join(f"{amount(r.ref.median, r.unit)}" for r in group)
        sizes = " → ".join(r.size for r in group)
        out.append(
            f"{group[0].label} vs {reference} [{sizes}]: ours {steps_ours} (x{last.ours.median / first.ours.median:.1f}); "
            f"reference {steps_ref} (x{last.ref.median / first.ref.median:.1f})"
        )
    return out


def machine() -> dict:
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "versions": {name: version(name) for name in ("anki", "textual", "fsrs", "fsrs-rs-python", "sqlite-utils")},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(SIZES), help="comma-separated: 1k, 10k, 100k (or CARDSxREVIEWS)")
    parser.add_argument("--only", default=",".join(FIGURES), help=f"comma-separated figures: {', '.join(FIGURES)}")
    parser.add_argument("--runs", type=int, default=9, help="runs per quick figure (medians are reported)")
    parser.add_argument("--slow-runs", type=int, default=5, help="runs of the cold start and the dashboard")
    parser.add_argument("--optimise-all", action="store_true", help="also fit FSRS on the largest history")
    parser.add_argument("--fresh", action="store_true", help="generate the collections again")
    args = parser.parse_args(argv)
    names = set(args.only.split(","))
    unknown = names - set(FIGURES)
    if unknown:
        parser.error(f"unknown figures: {', '.join(sorted(unknown))}")
    sizes = args.sizes.split(",")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    if args.fresh:
        for size in sizes:
            generate(size, fresh=True, log=log)
    started = datetime.now(timezone.utc)
    before = machine()
    rows: list[Row] = []
    for size in sizes:
        rows += measure(size, names, args.runs, args.slow_runs, args.optimise_all, log)
    order = {name: i for i, name in enumerate(("cold_start", "cold_start_cpu", "startup_sync", "rss", "queue", "queue_floor", "answer",
                                                "answer_cpu", "answer_floor", "answer_next", "dashboard", "stall", "optimise", "optimise_anki",
                                                "optimise_save", "optimise_total"))}
    rows.sort(key=lambda r: (order.get(r.figure, 99), list(SIZES).index(r.size) if r.size in SIZES else -1))
    text = table(rows)
    lines = growth(rows)
    print(text)
    print()
    print("Growth from the smallest to the largest size:")
    for line in lines:
        print(f"- {line}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    result = {
        "started": started.isoformat(),
        "seconds": round(time.time() - started.timestamp()),
        "machine_before": before,
        "machine_after": machine(),
        "runs": args.runs,
        "slow_runs": args.slow_runs,
        "rows": [row.to_json() for row in rows],
        "growth": lines,
        "table": text,
    }
    for name in (f"{stamp}.json", "latest.json"):
        (RESULTS / name).write_text(json.dumps(result, indent=2))
    print(f"\nJSON: {RESULTS / (stamp + '.json')}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
