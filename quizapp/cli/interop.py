"""``quizapp export``, ``quizapp import`` and ``quizapp new-deck``: Anki packages, CSV/TSV, own decks."""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path

from quizapp.cli.common import workspace
from quizapp.errors import QuizappError
from quizapp.text import printable

FORMATS = {".apkg": "apkg", ".csv": "csv", ".tsv": "tsv", ".tab": "tsv"}
TEXT_IN = {".txt": "csv", ".colpkg": "apkg"}
"""Read, never written: Anki's plain-text exports (as delimited files) and its whole-collection
packages (as packages)."""


def _say(line: str, err: bool = False) -> None:
    print(printable(line), file=sys.stderr if err else sys.stdout)


def _shown_literally(handler):
    """Pass the handler's error messages through ``printable``: they quote file names and cells."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except QuizappError as exc:
            raise QuizappError(printable(str(exc))) from None

    return run


def export_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("apkg", "csv", "tsv"), help="the file format (default: from the file's extension)")
    p.add_argument("--deck", metavar="ID", action="append", help="only this deck (repeat for several; default: every deck)")
    p.add_argument("--with-progress", action="store_true",
                   help="apkg only: also each card's due day, interval, FSRS memory state and review log")
    p.add_argument("-o", "--output", metavar="FILE", required=True, help="the file to write")


@_shown_literally
def cmd_export(args: argparse.Namespace) -> int:
    from quizapp.decks.loader import load_decks

    output = Path(args.output)
    fmt = args.format or FORMATS.get(output.suffix.lower())
    if fmt is None:
        raise QuizappError(f"cannot tell the format from '{output.name}'; give --format apkg, csv or tsv")
    if FORMATS.get(output.suffix.lower(), fmt) != fmt:
        # Import tells the format by the extension, so the two must agree for the file to come back.
        raise QuizappError(f"--format {fmt} does not match the file name {output.name}; name it *.{fmt}")
    if args.with_progress and fmt != "apkg":
        raise QuizappError("--with-progress is for Anki packages only (--format apkg)")
    ws = workspace(args)
    loaded = load_decks(ws.deck_dirs, base=ws.home)
    decks = loaded.decks
    if args.deck:
        known = {d.id for d in decks}
        missing = [d for d in args.deck if d not in known]
        if missing:
            raise QuizappError(f"no deck with id {', '.join(repr(m) for m in missing)} (decks: {', '.join(sorted(known)) or 'none'})")
        decks = [d for d in decks if d.id in args.deck]
    from quizapp.decks.models import card_item_ids

    # Cards as every screen and `check` count them (each side, cloze deletion and prompt is one);
    # the notes are the cards as written in the files, one row of a CSV each.
    cards = sum(len(card_item_ids(c)) for d in decks for c in d.cards)
    if loaded.problems:
        _say(f"{len(loaded.problems)} problems in the deck files; the cards they concern are not exported "
             "(see `quizapp check`)", err=True)
    if fmt == "apkg":
        from quizapp.interop.anki.apkg import export_apkg
        from quizapp.interop.anki.origin import Origins

        origins = Origins([Path(d) for d in dict.fromkeys([*ws.deck_dirs, ws.decks_dir]) if Path(d).is_dir()])

        if args.with_progress:
            from quizapp.scheduling.scheduler import load_settings
            from quizapp.session import open_workspace

            opened = open_workspace(ws)
            try:
                settings = load_settings(opened.store)
                report = export_apkg(decks, output, opened.store, rollover_hour=settings.rollover_hour, origins=origins)
            finally:
                opened.store.close()
        else:
            report = export_apkg(decks, output, origins=origins)
        _say(f"wrote {output}: {cards} cards ({report.notes} notes, {report.cards} Anki cards) from {report.decks} decks")
        for line in report.lines()[1:]:
            _say(line)
    else:
        from quizapp.interop.csvio import export_csv

        rows = export_csv(decks, output, delimiter="\t" if fmt == "tsv" else ",")
        _say(f"wrote {output}: {cards} cards ({rows} notes, one row each) from {len(decks)} decks")
    return 0


def import_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="an Anki package (.apkg) or a CSV/TSV file with a header row")
    p.add_argument("--deck-id", metavar="ID",
                   help="the deck to import into (default: the package's deck name, or the file's name)")
    p.add_argument("--skip-bad", action="store_true",
                   help="CSV/TSV: import the good rows even when some are malformed (they are listed)")


def _without_cycle_collection(command):
    """Run ``command`` with Python's cycle collector paused: an import makes millions of objects
    that live until it ends, and the collector walked them again and again (a third of the time of
    100,000 notes); its peak memory is the same without it."""

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        import gc

        was = gc.isenabled()
        gc.disable()
        try:
            return command(args)
        finally:
            if was:
                gc.enable()

    return run


@_shown_literally
@_without_cycle_collection
def cmd_import(args: argparse.Namespace) -> int:
    from quizapp.interop.deckwriter import save_import
    from quizapp.interop.ids import is_card_id

    path = Path(args.file)
    fmt = FORMATS.get(path.suffix.lower()) or TEXT_IN.get(path.suffix.lower())
    if fmt is None:
        raise QuizappError(f"{path}: import reads .apkg, .colpkg, .csv, .tsv and Anki's .txt files")
    if args.deck_id is not None and not is_card_id(args.deck_id):
        raise QuizappError(f"'{args.deck_id}' cannot be a deck id: use letters, digits, '.', '_' and '-'")
    ws = workspace(args)
    package = None
    results = []
    if fmt == "apkg":
        from quizapp.interop.anki.apkg import cards_from_package, default_deck_id

        package = cards_from_package(path)
        deck_id = args.deck_id or default_deck_id(package)
        result = save_import(ws, deck_id, package.title, f"Imported from {path.name}.", package.cards, path.name,
                             left_out=package.left_out, notes=package.notes)
        results.append(result)
        if result.path.exists():
            from quizapp.interop.anki.origin import SUFFIX, save_origin

            save_origin(result.path.with_name(result.path.stem + SUFFIX), package)
        package.cards = []  # written; what is left to do needs only the package's own cards and log
    else:
        from quizapp.interop.csvio import read_csv_decks

        # A file of several decks (as `quizapp export -o x.csv` writes) comes in deck by deck.
        reads = read_csv_decks(path, args.deck_id)
        _refuse_bad_rows(reads, path, args.skip_bad)
        while reads:
            read = reads.pop(0)  # its cards are let go once written
            skipped = [f"{read.bad_rows} of {read.rows} rows had problems and were left out"] if read.bad_rows else []
            results.append(save_import(ws, read.deck_id, read.title, f"Imported from {path.name}.", read.cards,
                                       path.name, left_out=read.left_out + read.problems, notes=skipped))
            del read
    from quizapp.session import sync_deck

    history = package is not None and package.collection is not None and bool(package.items)
    for result in results:
        for line in result.lines():
            _say(line)
        if result.written:
            new = sync_deck(ws, result.deck_id)
            if history:
                # The cards must be in the progress database before their history joins them.
                _carry_history(ws, package)
                history = False
                new = sync_deck(ws, result.deck_id)
            _say(f"{new} new cards to study in deck '{result.deck_id}' (`quizapp review --deck {result.deck_id}`)")
    if history:
        _carry_history(ws, package)
    return 0


def _refuse_bad_rows(reads: list, path: Path, skip_bad: bool) -> None:
    from quizapp.interop.csvio import problems_text

    problems = [p for read in reads for p in read.problems]
    if problems and not skip_bad:
        bad, rows, good = (sum(getattr(r, k) for r in reads) for k in ("bad_rows", "rows", "card_count"))
        raise QuizappError(
            problems_text(problems)
            + f"\n{bad} of {rows} rows in {path} have problems; nothing was imported. Fix them, "
            f"or pass --skip-bad to import the {good} good rows and leave the others out."
        )


def _carry_history(ws, package) -> None:
    """Anki's review log and suspensions for the imported cards (see ``interop.anki.history``)."""
    from quizapp.interop.anki.history import import_history
    from quizapp.scheduling.scheduler import Scheduler, load_settings
    from quizapp.session import open_workspace

    dirs = tuple(dict.fromkeys([*ws.deck_dirs, ws.decks_dir.resolve()]))
    opened = open_workspace(type(ws)(ws.home, dirs, ws.how))
    try:
        report = import_history(opened.store, Scheduler(load_settings(opened.store)), package)
    finally:
        opened.store.close()
    for line in report.lines():
        _say(line)


def new_deck_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", metavar="NAME", help="the deck's title, e.g. \"Transformers\"")
    p.add_argument("--id", metavar="ID", help="the deck id and file name (default: made from NAME)")


@_shown_literally
def cmd_new_deck(args: argparse.Namespace) -> int:
    from quizapp.interop.newdeck import new_deck

    path = new_deck(workspace(args), args.name, args.id)
    _say(f"wrote {path}: one example card of each kind; edit it, then run `quizapp check`")
    return 0
