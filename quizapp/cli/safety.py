"""Command-line commands that keep progress safe: backup, restore, doctor, merge."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from quizapp.cli.common import workspace
from quizapp.errors import StoreError
from quizapp.text import printable


def _local(moment: object) -> str:
    if moment is None:
        return "-"
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            return printable(str(moment))
    if not isinstance(moment, datetime):
        return printable(str(moment))
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1024:.0f} kB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def _describe(path: Path) -> str:
    from quizapp.db.backup import backup_summary

    info = backup_summary(path)
    if not info:
        return "unreadable"
    return f"{info['answers']} answers, {info['cards']} cards studied, last answer {_local(info['newest'])}"


def cmd_backup(args: argparse.Namespace) -> int:
    from quizapp.db.backup import take_backup

    ws = workspace(args)
    outcome = take_backup(ws.db_path, "manual", backups_dir=ws.backups_dir)
    if outcome.backup is None:
        print("nothing to back up yet: there is no progress")
    elif outcome.written:
        print(f"backed up to {outcome.backup.path}")
        print(f"  {_describe(outcome.backup.path)}")
        if outcome.removed:
            print(f"  {len(outcome.removed)} older backups thinned out (recent, daily, weekly and monthly ones are kept)")
    else:
        print(f"nothing changed since the newest backup, {outcome.backup.name}; no new backup written")
    return 0


def restore_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", metavar="NAME", help="the backup to restore (its name or the start of it); "
                   "without it, the backups are listed")


def cmd_restore(args: argparse.Namespace) -> int:
    from quizapp.db.backup import list_backups, restore_backup

    ws = workspace(args)
    if not args.name:
        backups = list_backups(ws.backups_dir)
        if not backups:
            print(f"no backups yet in {ws.backups_dir}; `quizapp backup` takes one")
            return 0
        print(f"backups in {ws.backups_dir}, newest first:")
        for b in backups:
            print(f"  {b.name}  {_local(b.taken_at)}  {b.reason:<14} {_size(b.path):>8}  {_describe(b.path)}")
        print("restore one with `quizapp restore NAME`; the current progress is backed up first")
        return 0
    done = restore_backup(ws.db_path, args.name, backups_dir=ws.backups_dir)
    if done.saved is not None:
        print(f"the progress you had is kept as {done.saved.name}")
    if done.saved_damaged is not None:
        print(f"the damaged database you had is kept, byte for byte, as {done.saved_damaged}")
    print(f"restored {done.restored.name}: {_describe(ws.db_path)}")
    return 0


def doctor_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--check", action="store_true", help="only report; change nothing")


def cmd_doctor(args: argparse.Namespace) -> int:
    from quizapp.db.backup import list_backups
    from quizapp.db.store import Store
    from quizapp.repair.doctor import backup_before_repair, examine

    ws = workspace(args)
    if not ws.db_path.exists():
        print(f"there is no progress database at {ws.db_path} yet; nothing to check")
        return 0
    try:
        store = Store.open(ws.db_path)
    except StoreError as exc:
        print(f"quizapp doctor: {exc}")
        backups = list_backups(ws.backups_dir)
        if backups:
            print("the newest backups (restore one with `quizapp restore NAME`):")
            for b in backups[:3]:
                print(f"  {b.name}  {_describe(b.path)}")
        return 1
    try:
        report = examine(store, fix=not args.check, backup=lambda: backup_before_repair(ws.db_path))
    finally:
        store.close()
    print(f"checked {report.answers_checked} answers and {report.cards_checked} cards in {ws.db_path}")
    if report.backup:
        print(f"backed up first as {report.backup}")
    if not report.findings:
        print("no problems found")
    for f in report.findings:
        mark = "fixed" if f.fixed else "found"
        print(f"  {mark} ({f.count}): {printable(f.message)}")
        for example in f.examples:
            print(f"      {printable(example)}")
        if f.count > len(f.examples):
            print(f"      ... and {f.count - len(f.examples)} more")
    if report.damaged:
        return 1
    unfixed = [f for f in report.findings if not f.fixed and f.kind in ("state", "log-orphan")]
    return 1 if unfixed else 0


def merge_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("other", metavar="OTHER", help="another machine's progress: its quizapp.db, or its workspace folder")


def cmd_merge(args: argparse.Namespace) -> int:
    from quizapp.db.store import Store
    from quizapp.repair.merge import merge_file

    ws = workspace(args)
    store = Store.open(ws.db_path)
    try:
        result = merge_file(store, Path(args.other), backups_dir=ws.backups_dir)
    finally:
        store.close()
    if not result.answers_added and not result.attempts_added:
        print(f"nothing to merge: every answer in {args.other} is already here")
    else:
        if result.backup:
            print(f"backed up first as {result.backup}")
        print(f"merged {result.answers_added} answers and {result.attempts_added} interview attempts; "
              f"{result.cards_rebuilt} cards rebuilt from their answers")
        if result.cards_added:
            print(f"{result.cards_added} cards are not in this workspace's decks; their progress is kept for when they are")
    if result.skipped:
        print(f"{result.skipped} answers in {args.other} were unusable (impossible rating or time) and were left out")
    return 0
