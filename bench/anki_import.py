"""Importing a large Anki package: quizapp's `quizapp import` beside Anki's own import of the same
package, each in a fresh process, wall time and peak memory (``ru_maxrss`` of the child).

    .venv/bin/python -m bench import [--notes 100000] [--runs 3]

The package is made once with Anki's engine (Basic notes with a few words a side, tags, one deck,
the current package format) and cached under ``$QUIZAPP_BENCH_DATA`` (else /tmp/quizapp-bench).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

DATA = Path(os.environ.get("QUIZAPP_BENCH_DATA", "/tmp/quizapp-bench"))
TARGET_SECONDS, TARGET_MB = 10.0, 300


def make_package(notes: int, path: Path) -> Path:
    """An Anki package of ``notes`` Basic notes, written by Anki itself."""
    from anki.collection import AddNoteRequest, Collection, ExportAnkiPackageOptions

    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        col = Collection(str(Path(tmp) / "collection.anki2"))
        try:
            deck = col.decks.id("Large deck")
            basic = col.models.by_name("Basic")
            requests = []
            for i in range(notes):
                note = col.new_note(basic)
                note["Front"] = f"What is term number {i} of the <b>large</b> deck?"
                note["Back"] = f"It is the answer {i}, with a few more words to read."
                note.tags = ["bench", f"group{i % 50}"]
                requests.append(AddNoteRequest(note=note, deck_id=deck))
            col.add_notes(requests)
            options = ExportAnkiPackageOptions(with_scheduling=False, with_media=False, legacy=False)
            col.export_anki_package(out_path=str(path), options=options, limit=None)
        finally:
            col.close()
    return path


_ANKI_IMPORT = """
import sys
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
col = Collection(sys.argv[1])
col.import_anki_package(ImportAnkiPackageRequest(package_path=sys.argv[2], options=ImportAnkiPackageOptions()))
col.close()
"""


def _child(args: list[str], env: dict | None = None) -> tuple[float, float, float]:
    """(wall seconds, peak resident MB, processor seconds) of one fresh process (its own
    ``ru_maxrss`` and user + system time, from wait4): on a busy machine the wall time says more
    about the others than about the import."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args[:4])} failed:\n{proc.stderr.read().decode()[-2000:]}")
    proc.stderr.close()
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


_ANKI_OPEN = """
import sys
from anki.collection import Collection
col = Collection(sys.argv[1])
col.sched.counts()
col.close()
"""


def measure(package: Path, runs: int) -> dict:
    ours, theirs, cold, anki_open = [], [], [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp) / "ws"
            (home / "decks").mkdir(parents=True)
            ours.append(_child([sys.executable, "-m", "quizapp", "--home", str(home), "import", str(package)]))
            # The first start without the deck cache (a new machine, a cleared cache): the deck file
            # the import wrote is parsed.
            env = {**os.environ, "QUIZAPP_CACHE_DIR": str(Path(tmp) / "empty-cache")}
            cold.append(_child([sys.executable, "-m", "quizapp", "--home", str(home), "decks"], env))
        with tempfile.TemporaryDirectory() as tmp:
            theirs.append(_child([sys.executable, "-c", _ANKI_IMPORT, str(Path(tmp) / "c.anki2"), str(package)]))
            anki_open.append(_child([sys.executable, "-c", _ANKI_OPEN, str(Path(tmp) / "c.anki2")]))
    return {
        "ours_s": median(t for t, _, _ in ours), "ours_mb": max(m for _, m, _ in ours),
        "anki_s": median(t for t, _, _ in theirs), "anki_mb": max(m for _, m, _ in theirs),
        "ours_cpu": median(c for _, _, c in ours), "anki_cpu": median(c for _, _, c in theirs),
        "cold_s": median(t for t, _, _ in cold), "cold_mb": max(m for _, m, _ in cold),
        "open_s": median(t for t, _, _ in anki_open), "open_mb": max(m for _, m, _ in anki_open),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench import", description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    package = DATA / f"anki-import-{args.notes}.apkg"
    # Made in a process of its own: a child's peak memory (ru_maxrss) starts from its parent's
    # resident size when it was forked, so this process must stay small.
    subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; from bench.anki_import import "
                    "make_package; make_package(int(sys.argv[1]), Path(sys.argv[2]))", str(args.notes), str(package)],
                   check=True, cwd=Path(__file__).resolve().parents[1])
    figures = measure(package, args.runs)
    at_scale = args.notes >= 100_000  # the targets are for 100,000 notes

    def verdict(ok: bool) -> str:
        return ("meets" if ok else "MISSES") if at_scale else "(target is for 100,000 notes)"

    print(f"| import of {args.notes:,} Basic notes | ours | Anki's import | ours / Anki | target |")
    print("| --- | ---: | ---: | ---: | --- |")
    print(f"| wall time, fresh process | {figures['ours_s']:.2f} s | {figures['anki_s']:.2f} s | "
          f"{figures['ours_s'] / figures['anki_s']:.1f}x | under {TARGET_SECONDS:.0f} s: "
          f"{verdict(figures['ours_s'] < TARGET_SECONDS)} |")
    print(f"| processor time (user + system) | {figures['ours_cpu']:.2f} s | {figures['anki_cpu']:.2f} s | "
          f"{figures['ours_cpu'] / figures['anki_cpu']:.1f}x | |")
    print(f"| peak memory (RSS) | {figures['ours_mb']:.0f} MB | {figures['anki_mb']:.0f} MB | "
          f"{figures['ours_mb'] / figures['anki_mb']:.1f}x | under {TARGET_MB} MB: "
          f"{verdict(figures['ours_mb'] < TARGET_MB)} |")
    print(f"| first `quizapp decks` without the deck cache vs Anki opening its collection and counting "
          f"today's cards | {figures['cold_s']:.2f} s, {figures['cold_mb']:.0f} MB | {figures['open_s']:.2f} s, "
          f"{figures['open_mb']:.0f} MB | {figures['cold_s'] / figures['open_s']:.1f}x | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
