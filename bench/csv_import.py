"""Importing a large CSV file: `quizapp import` of a 40,000-row CSV beside Anki's own CSV import of
the same rows and a floor (Python's csv module reading the file into a SQLite table), each in a
fresh process, wall time, processor time and peak memory (``ru_maxrss`` of the child).

    .venv/bin/python -m bench csv [--rows 40000] [--decks 1] [--runs 3]

The file has the columns front, back and tags (two tags a row), as a hand-made or spreadsheet
export would, and with ``--decks N`` a deck column naming N decks (as ``quizapp export -o x.csv``
writes one); Anki reads the same rows without the header row, with its header lines naming the
separator, the Basic note type, the tags column and the deck column. Both files are made once under
``$QUIZAPP_BENCH_DATA`` (else /tmp/quizapp-bench).
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from pathlib import Path
from statistics import median

from bench.anki_import import DATA, _child

TARGET_SECONDS, TARGET_MB = 5.0, 300


def make_files(rows: int, decks: int = 1) -> tuple[Path, Path]:
    """(quizapp's CSV with a header row, the same rows for Anki with its header lines)."""
    stem = f"csv-import-{rows}" + (f"-{decks}-decks" if decks > 1 else "")
    ours, theirs = DATA / f"{stem}.csv", DATA / f"{stem}.anki.csv"
    if ours.exists() and theirs.exists():
        return ours, theirs
    DATA.mkdir(parents=True, exist_ok=True)
    with open(ours, "w", newline="", encoding="utf-8") as a, open(theirs, "w", newline="", encoding="utf-8") as b:
        mine, anki = csv.writer(a), csv.writer(b)
        mine.writerow(["front", "back", "tags", "deck"][: 4 if decks > 1 else 3])
        b.write("#separator:Comma\n#html:false\n#notetype:Basic\n#tags column:3\n"
                + ("#deck column:4\n" if decks > 1 else "#deck:Large deck\n"))
        for i in range(rows):
            front = f"What is term number {i} of the large deck?"
            back = f"It is the answer {i}, with a few more words to read."
            deck = [f"deck{i % decks}"] if decks > 1 else []
            mine.writerow([front, back, f"bench | group{i % 50}", *deck])
            anki.writerow([front, back, f"bench group{i % 50}", *deck])
    return ours, theirs


_ANKI_IMPORT = """
import sys
from anki.collection import Collection, ImportCsvRequest
col = Collection(sys.argv[1])
metadata = col.get_csv_metadata(sys.argv[2], None)
col.import_csv(ImportCsvRequest(path=sys.argv[2], metadata=metadata))
assert col.note_count() == int(sys.argv[3]), col.note_count()
col.close()
"""

_FLOOR = """
import csv, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
with open(sys.argv[2], newline="", encoding="utf-8") as fh:
    rows = csv.reader(fh)
    header = next(rows)
    conn.execute(f"CREATE TABLE cards ({', '.join(name + ' TEXT' for name in header)})")
    conn.executemany(f"INSERT INTO cards VALUES ({', '.join('?' for _ in header)})", rows)
conn.commit()
conn.close()
"""


def measure(rows: int, runs: int, decks: int = 1) -> dict[str, tuple[float, float, float]]:
    """Medians of wall and processor seconds, and the highest peak MB, for each of the three."""
    ours_file, anki_file = make_files(rows, decks)
    taken: dict[str, list[tuple[float, float, float]]] = {"ours": [], "anki": [], "floor": []}
    for _ in range(runs):  # taking turns, so that the machine's load falls on each alike
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp) / "ws"
            (home / "decks").mkdir(parents=True)
            taken["ours"].append(_child([sys.executable, "-m", "quizapp", "--home", str(home), "import", str(ours_file)]))
        with tempfile.TemporaryDirectory() as tmp:
            taken["anki"].append(_child([sys.executable, "-c", _ANKI_IMPORT, str(Path(tmp) / "c.anki2"), str(anki_file),
                                         str(rows)]))
        with tempfile.TemporaryDirectory() as tmp:
            taken["floor"].append(_child([sys.executable, "-c", _FLOOR, str(Path(tmp) / "f.db"), str(ours_file)]))
    return {
        who: (median(t for t, _, _ in runs_), median(c for _, _, c in runs_), max(m for _, m, _ in runs_))
        for who, runs_ in taken.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench csv", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=40_000)
    parser.add_argument("--decks", type=int, default=1, help="decks named in a deck column (1: no deck column)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    figures = measure(args.rows, args.runs, args.decks)
    ours, anki, floor = figures["ours"], figures["anki"], figures["floor"]
    at_scale = args.rows >= 40_000  # the targets are for 40,000 rows

    def verdict(ok: bool) -> str:
        return ("meets" if ok else "MISSES") if at_scale else "(target is for 40,000 rows)"

    what = f"a {args.rows:,}-row CSV" + (f" of {args.decks} decks" if args.decks > 1 else "")
    print(f"| import of {what} | ours | Anki's CSV import | ours / Anki | csv + sqlite3 floor | target |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    print(f"| wall time, fresh process | {ours[0]:.2f} s | {anki[0]:.2f} s | {ours[0] / anki[0]:.1f}x | {floor[0]:.2f} s | "
          f"under {TARGET_SECONDS:.0f} s: {verdict(ours[0] < TARGET_SECONDS)} |")
    print(f"| processor time (user + system) | {ours[1]:.2f} s | {anki[1]:.2f} s | {ours[1] / anki[1]:.1f}x | "
          f"{floor[1]:.2f} s | |")
    print(f"| peak memory (RSS) | {ours[2]:.0f} MB | {anki[2]:.0f} MB | {ours[2] / anki[2]:.1f}x | {floor[2]:.0f} MB | "
          f"under {TARGET_MB} MB: {verdict(ours[2] < TARGET_MB)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
