"""``quizapp config``: show and change the study settings."""

from __future__ import annotations

import argparse

from quizapp.cli.common import workspace


def config_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("key", nargs="?", metavar="KEY", help="a setting (without it: every setting, its value and default)")
    p.add_argument("value", nargs="?", metavar="VALUE", help="its new value (without it: its value now)")


def cmd_config(args: argparse.Namespace) -> int:
    from quizapp.db.store import Store
    from quizapp.scheduling.config import change, rows, setting
    from quizapp.scheduling.scheduler import load_settings

    store = Store.open(workspace(args).db_path)
    try:
        settings = load_settings(store)
        if args.key is None:
            table = rows(settings)
            width = max(len(s.key) for s, _, _ in table)
            value_width = max(len(v) for _, v, _ in table)
            for s, value, default in table:
                mark = "" if value == default else "  (changed)"
                print(f"{s.key:<{width}}  {value:<{value_width}}  default {default}{mark}")
                print(f"{'':<{width}}  {s.help} Allowed: {s.allowed}.")
            print("Change one with `quizapp config KEY VALUE`.")
            return 0
        known = setting(args.key)
        before = dict((s.key, v) for s, v, _ in rows(settings))[known.key]
        if args.value is None:
            print(f"{known.key} = {before}")
            return 0
        after = dict((s.key, v) for s, v, _ in rows(change(store, known.key, args.value)))[known.key]
        print(f"{known.key} = {after}" + ("" if after == before else f"  (was {before})"))
        return 0
    finally:
        store.close()
