"""``quizapp update-anki``: the progress made here written into the user's own Anki collection."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from quizapp.cli.common import workspace
from quizapp.errors import QuizappError
from quizapp.text import printable


def update_anki_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("collection", metavar="COLLECTION",
                   help="the collection.anki2 file of your Anki profile (close Anki first; sync in Anki afterwards)")
    p.add_argument("--deck", metavar="ID", action="append", help="only this deck (repeat for several; default: every deck)")


def cmd_update_anki(args: argparse.Namespace) -> int:
    from quizapp.decks.loader import load_decks
    from quizapp.interop.anki.into_collection import update_collection
    from quizapp.interop.anki.origin import Origins
    from quizapp.scheduling.scheduler import load_settings
    from quizapp.session import open_workspace

    ws = workspace(args)
    decks = load_decks(ws.deck_dirs, base=ws.home).decks
    if args.deck:
        known = {d.id for d in decks}
        missing = [d for d in args.deck if d not in known]
        if missing:
            raise QuizappError(f"no deck with id {', '.join(repr(m) for m in missing)} "
                               f"(decks: {', '.join(sorted(known)) or 'none'})")
        decks = [d for d in decks if d.id in args.deck]
    origins = Origins([Path(d) for d in dict.fromkeys([*ws.deck_dirs, ws.decks_dir]) if Path(d).is_dir()])
    opened = open_workspace(ws)
    try:
        settings = load_settings(opened.store)
        report = update_collection(Path(args.collection), decks, opened.store, origins,
                                   rollover_hour=settings.rollover_hour)
    except QuizappError as exc:
        raise QuizappError(printable(str(exc))) from None
    finally:
        opened.store.close()
    for line in report.lines():
        print(printable(line), file=sys.stdout)
    return 0
