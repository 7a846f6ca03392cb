"""Record what Anki's own engine holds after importing each corpus file.

Run:  /work/main/.venv/bin/python tests/data/anki/expected.py   (writes expected.json)

Each .apkg / .colpkg / text file in this folder is imported, the
way Anki's import dialog does it, into a fresh, empty collection made by the
`anki` wheel, and the result is summarised: notes, cards, cards per deck,
note types (fields, templates), sample notes with the question Anki renders
for each of their cards, review log, suspended / buried cards, and the import
log.  quizapp's corpus tests compare their own import against these figures.

Packages are imported with scheduling (Anki's "Import any learning progress")
and, where that changes anything, the figures without scheduling are given
under "without_scheduling".  Text files are imported with the metadata Anki
detects for them (get_csv_metadata), as the import dialog proposes.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import zipfile
from pathlib import Path

import zstandard

os.environ.setdefault("TZ", "UTC")

from anki._backend import RustBackend
from anki.collection import (
    Collection,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
    ImportCsvRequest,
)

HERE = Path(__file__).resolve().parent
PACKAGE_EXT = {".apkg", ".colpkg"}
TEXT_EXT = {".txt", ".csv", ".tsv"}
SAMPLE_NOTES = 15  # every note of the small cases, the first 15 of larger files
CARD_TYPES = {0: "new", 1: "learning", 2: "review", 3: "relearning"}
QUEUES = {
    -3: "user_buried",
    -2: "sched_buried",
    -1: "suspended",
    0: "new",
    1: "learning",
    2: "review",
    3: "day_learning",
    4: "preview",
}
REVLOG_TYPES = {
    0: "learning",
    1: "review",
    2: "relearning",
    3: "filtered",
    4: "manual",
    5: "rescheduled",
}


def corpus_files() -> list[Path]:
    files = [
        p
        for p in sorted(HERE.iterdir())
        if p.is_file() and p.suffix in PACKAGE_EXT | TEXT_EXT
    ]
    return files


def package_format(path: Path) -> dict:
    if path.suffix not in PACKAGE_EXT:
        head = path.read_text(encoding="utf-8", errors="replace").splitlines()
        return {
            "kind": "text",
            "header_lines": [h for h in head if h.startswith("#")][:8],
        }
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
    if "collection.anki21b" in names:
        kind = "latest (collection.anki21b, zstd, protobuf media map)"
    elif "collection.anki21" in names:
        kind = "legacy 2 (collection.anki21, schema 11, JSON media map)"
    else:
        kind = "legacy 1 (collection.anki2 only)"
    return {
        "kind": kind,
        "zip_members": [n for n in names if not n.isdigit()],
        "media_members": sum(n.isdigit() for n in names),
    }


def package_contents(path: Path, tmp: Path) -> dict:
    """What the package itself holds, read with sqlite (before Anki's import
    renames anything): note types, decks, counts, the collection's schedVer."""
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        for member in ("collection.anki21b", "collection.anki21", "collection.anki2"):
            if member in names:
                data = z.read(member)
                break
    if member.endswith("b"):
        data = zstandard.ZstdDecompressor().stream_reader(data).read()
    db_path = tmp / "raw.sqlite"
    db_path.write_bytes(data)
    db = sqlite3.connect(db_path)
    # schema 18 sorts names with Anki's own case-insensitive collation
    db.create_collation(
        "unicase",
        lambda a, b: (a.casefold() > b.casefold()) - (a.casefold() < b.casefold()),
    )
    try:
        tables = {
            r[0]
            for r in db.execute("select name from sqlite_master where type='table'")
        }
        ver, conf = db.execute("select ver, conf from col").fetchone()
        if "notetypes" in tables:
            notetypes = [
                r[0] for r in db.execute("select name from notetypes order by name")
            ]
            decks = [
                r[0].replace("\x1f", "::")
                for r in db.execute("select name from decks order by name")
            ]
            sched_ver = (
                db.execute("select val from config where key='schedVer'").fetchone()
                or [None]
            )[0]
            sched_ver = json.loads(sched_ver) if sched_ver else None
        else:
            models = json.loads(db.execute("select models from col").fetchone()[0])
            notetypes = sorted(m["name"] for m in models.values())
            decks = sorted(
                d["name"]
                for d in json.loads(
                    db.execute("select decks from col").fetchone()[0]
                ).values()
            )
            sched_ver = json.loads(conf or "{}").get("schedVer")
        used_mids = {r[0] for r in db.execute("select distinct mid from notes")}
        return {
            "member": member,
            "schema_version": ver,
            "sched_ver": sched_ver,
            "notes": db.execute("select count() from notes").fetchone()[0],
            "cards": db.execute("select count() from cards").fetchone()[0],
            "revlog": db.execute("select count() from revlog").fetchone()[0],
            "notetypes": notetypes,
            "notetypes_used": len(used_mids),
            "decks": decks,
        }
    finally:
        db.close()


def fresh(tmp: Path, name: str) -> Collection:
    d = tmp / name
    d.mkdir()
    return Collection(str(d / "collection.anki2"), backend=RustBackend(langs=["en"]))


def log_summary(log) -> dict:
    out = {
        k: len(getattr(log, k))
        for k in (
            "new",
            "updated",
            "duplicate",
            "conflicting",
            "first_field_match",
            "missing_notetype",
            "missing_deck",
            "empty_first_field",
        )
    }
    out["found_notes"] = log.found_notes
    return {k: v for k, v in out.items() if v}


def import_package(col: Collection, path: Path, with_scheduling: bool) -> dict:
    req = ImportAnkiPackageRequest(
        package_path=str(path),
        options=ImportAnkiPackageOptions(
            with_scheduling=with_scheduling,
            with_deck_configs=with_scheduling,
            merge_notetypes=False,
        ),
    )
    return log_summary(col.import_anki_package(req).log)


def import_colpkg(tmp: Path, path: Path) -> Collection:
    """As Anki's "Import collection package": replaces the (closed) collection."""
    d = tmp / "colpkg"
    d.mkdir()
    backend = RustBackend(langs=["en"])
    backend.import_collection_package(
        col_path=str(d / "collection.anki2"),
        backup_path=str(path),
        media_folder=str(d / "collection.media"),
        media_db=str(d / "collection.media.db2"),
    )
    return Collection(str(d / "collection.anki2"), backend=backend)


def import_text(col: Collection, path: Path) -> tuple[dict, dict]:
    meta = col.get_csv_metadata(str(path), None)
    detected = {
        "delimiter": meta.Delimiter.Name(meta.delimiter),
        "is_html": meta.is_html,
        "deck": meta.deck_name
        or (col.decks.name(meta.deck_id) if meta.deck_id else None),
        "deck_column": meta.deck_column or None,
        "notetype": (
            col.models.get(meta.global_notetype.id)["name"]
            if meta.HasField("global_notetype")
            else None
        ),
        "notetype_column": meta.notetype_column or None,
        "tags_column": meta.tags_column or None,
        "guid_column": meta.guid_column or None,
        "global_tags": list(meta.global_tags),
        "column_labels": list(meta.column_labels),
    }
    detected = {k: v for k, v in detected.items() if v not in (None, [], "")}
    log = col.import_csv(ImportCsvRequest(path=str(path), metadata=meta)).log
    return detected, log_summary(log)


def text(col: Collection, s: str, limit: int = 160) -> str:
    s = col._backend.html_to_text_line(text=s, preserve_media_filenames=True)
    return s if len(s) <= limit else s[:limit] + "…"


def summarise(col: Collection) -> dict:
    db = col.db
    notes = db.scalar("select count() from notes")
    cards = db.scalar("select count() from cards")
    decks = {}
    for did, n in db.all("select did, count() from cards group by did"):
        decks[col.decks.name(did)] = n
    nt_use = collections.Counter(db.list("select mid from notes"))
    notetypes = {}
    for mid, n in sorted(nt_use.items()):
        m = col.models.get(mid)
        notetypes[m["name"]] = {
            "notes": n,
            "kind": "cloze" if m["type"] == 1 else "standard",
            "original_stock_kind": m.get("originalStockKind", 0),
            "fields": [f["name"] for f in m["flds"]],
            "templates": [
                {"name": t["name"], "qfmt": t["qfmt"][:200]} for t in m["tmpls"]
            ],
        }
    type_counts = collections.Counter(
        CARD_TYPES.get(t, t) for t in db.list("select type from cards")
    )
    queue_counts = collections.Counter(
        QUEUES.get(q, q) for q in db.list("select queue from cards")
    )
    rev = db.all("select type, ease from revlog")
    samples = []
    for nid in db.list(f"select id from notes order by id limit {SAMPLE_NOTES}"):
        note = col.get_note(nid)
        m = note.note_type()
        cs = []
        for card in sorted(note.cards(), key=lambda c: c.ord):
            out = card.render_output(reload=True)
            tmpl = m["tmpls"][0 if m["type"] == 1 else card.ord]["name"]
            cs.append(
                {
                    "ord": card.ord,
                    "template": tmpl,
                    "deck": col.decks.name(card.did),
                    "question": text(col, out.question_text),
                    "type": CARD_TYPES.get(card.type),
                    "queue": QUEUES.get(card.queue),
                }
            )
        samples.append(
            {
                "guid": note.guid,
                "notetype": m["name"],
                "fields": {name: val[:300] for name, val in note.items()},
                "tags": note.tags,
                "cards": cs,
            }
        )
    return {
        "notes": notes,
        "cards": cards,
        "decks": dict(sorted(decks.items())),
        "all_decks": sorted(d.name for d in col.decks.all_names_and_ids()),
        "notetypes": notetypes,
        "card_types": dict(sorted(type_counts.items())),
        "queues": dict(sorted(queue_counts.items())),
        "suspended": queue_counts.get("suspended", 0),
        "buried": queue_counts.get("user_buried", 0)
        + queue_counts.get("sched_buried", 0),
        "revlog": len(rev),
        "revlog_by_type": dict(
            sorted(collections.Counter(REVLOG_TYPES.get(t, t) for t, _ in rev).items())
        ),
        "revlog_by_ease": {
            str(k): v for k, v in sorted(collections.Counter(e for _, e in rev).items())
        },
        "media_files": len(
            [f for f in os.listdir(col.media.dir()) if not f.startswith(".")]
        ),
        "sample_notes": samples,
    }


def expect(path: Path) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="ankiexpect-"))
    try:
        result = {"format": package_format(path), "bytes": path.stat().st_size}
        if path.suffix in PACKAGE_EXT:
            result["package"] = package_contents(path, tmp)
        if path.suffix == ".colpkg":
            col = import_colpkg(tmp, path)
            result.update(summarise(col))
            col.close()
        elif path.suffix == ".apkg":
            col = fresh(tmp, "sched")
            result["import_log"] = import_package(col, path, True)
            result.update(summarise(col))
            col.close()
            if (
                result["revlog"]
                or result["suspended"]
                or result["buried"]
                or set(result["card_types"]) - {"new"}
            ):
                col = fresh(tmp, "nosched")
                import_package(col, path, False)
                s = summarise(col)
                col.close()
                result["without_scheduling"] = {
                    k: s[k]
                    for k in (
                        "cards",
                        "card_types",
                        "queues",
                        "suspended",
                        "buried",
                        "revlog",
                    )
                }
        else:
            col = fresh(tmp, "text")
            result["detected"], result["import_log"] = import_text(col, path)
            result.update(summarise(col))
            col.close()
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    import anki.buildinfo

    out = {"anki_version": anki.buildinfo.version, "files": {}}
    for path in corpus_files():
        rel = str(path.relative_to(HERE))
        try:
            out["files"][rel] = expect(path)
        except Exception as e:  # noqa: BLE001  record Anki's refusal as the expectation
            out["files"][rel] = {
                "format": package_format(path),
                "error": f"{type(e).__name__}: {e}",
            }
        r = out["files"][rel]
        print(
            f"{rel:40} notes={r.get('notes')} cards={r.get('cards')} "
            f"revlog={r.get('revlog')} susp={r.get('suspended')} {r.get('error', '')}"
        )
    (HERE / "expected.json").write_text(
        json.dumps(out, ensure_ascii=False, indent=1, sort_keys=False) + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    sys.exit(main())
