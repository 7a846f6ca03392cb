"""Hostile Anki packages: each a one-line message naming the file and what is wrong, nothing written."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from quizapp.cli.main import main

BASIC = Path(__file__).parents[1] / "data" / "anki" / "basic.legacy.apkg"


def package(tmp_path: Path, change: Callable[[sqlite3.Connection], None] | None = None,
            name: str = "hostile.apkg") -> Path:
    """Anki's basic legacy package with its collection changed by ``change``."""
    db = tmp_path / "collection.db"
    with zipfile.ZipFile(BASIC) as src:
        db.write_bytes(src.read("collection.anki21"))
    conn = sqlite3.connect(db)
    # Anki's tables forbid NULLs; a hostile file need not.
    conn.executescript("ALTER TABLE notes RENAME TO old_notes; CREATE TABLE notes AS SELECT * FROM old_notes;"
                       "DROP TABLE old_notes;")
    if change:
        change(conn)
    conn.commit()
    conn.close()
    out = tmp_path / name
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        dst.write(db, "collection.anki21")
        dst.writestr("media", "{}")
    db.unlink()
    return out


def _models(conn: sqlite3.Connection, value: str) -> None:
    conn.execute("UPDATE col SET models = ?", (value,))


def _deck_name(conn: sqlite3.Connection, name: object) -> None:
    decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
    for deck in decks.values():
        deck["name"] = name
    conn.execute("UPDATE col SET decks = ?", (json.dumps(decks),))


HOSTILE_COLLECTIONS = {
    "null fields": (lambda c: c.execute("UPDATE notes SET flds = NULL WHERE guid = 'qzbasic0002'"), "fields"),
    "null tags": (lambda c: c.execute("UPDATE notes SET tags = NULL WHERE guid = 'qzbasic0002'"), "tags"),
    "null guid": (lambda c: c.execute("UPDATE notes SET guid = NULL WHERE guid = 'qzbasic0002'"), "GUID"),
    "models as a list": (lambda c: _models(c, "[1, 2, 3]"), "note types"),
    "models nested deep": (lambda c: _models(c, "[" * 100_000 + "]" * 100_000), "nested too deeply"),
    "deck name a number": (lambda c: _deck_name(c, 12), "deck name"),
    "deck name a list": (lambda c: _deck_name(c, ["a", {"b": None}]), "deck name"),
}


def _refused(tmp_path: Path, capsys, path: Path, what: str) -> None:
    home = tmp_path / "home"
    (home / "decks").mkdir(parents=True)
    assert main(["--home", str(home), "import", str(path)]) == 1
    out = capsys.readouterr()
    lines = [line for line in out.err.splitlines() if line.strip()]
    assert len(lines) == 1, out.err
    assert str(path) in lines[0] and what in lines[0], lines[0]
    assert "Traceback" not in out.err
    assert list((home / "decks").iterdir()) == []


@pytest.mark.parametrize("case", sorted(HOSTILE_COLLECTIONS))
def test_a_hostile_collection_is_one_line_naming_the_file_and_the_fault(tmp_path, capsys, case):
    change, what = HOSTILE_COLLECTIONS[case]
    _refused(tmp_path, capsys, package(tmp_path, change), what)


def _rewrite_member(path: Path, edit: Callable[[bytearray, zipfile.ZipInfo], None]) -> None:
    """Edit the bytes of the zip's collection member (its local header and central entry) in place."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("collection.anki21")
    edit(data, info)
    path.write_bytes(bytes(data))


def _wrong_crc(data: bytearray, info: zipfile.ZipInfo) -> None:
    wrong = ((info.CRC + 1) & 0xFFFFFFFF).to_bytes(4, "little")
    start = info.header_offset
    data[start + 14 : start + 18] = wrong
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(b"collection.anki21"))
    data[central + 16 : central + 20] = wrong


def _flag_encrypted(data: bytearray, info: zipfile.ZipInfo) -> None:
    start = info.header_offset
    data[start + 6] |= 1
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(b"collection.anki21"))
    data[central + 8] |= 1


def _unknown_method(data: bytearray, info: zipfile.ZipInfo) -> None:
    start = info.header_offset
    data[start + 8 : start + 10] = (99).to_bytes(2, "little")
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(b"collection.anki21"))
    data[central + 10 : central + 12] = (99).to_bytes(2, "little")


@pytest.mark.parametrize(("edit", "what"), [(_wrong_crc, "damaged"), (_flag_encrypted, "encrypted"),
                                             (_unknown_method, "compression method")],
                         ids=["wrong crc", "encrypted", "unknown compression"])
def test_a_hostile_zip_member_is_one_line_naming_the_file_and_the_fault(tmp_path, capsys, edit, what):
    path = package(tmp_path)
    _rewrite_member(path, edit)
    _refused(tmp_path, capsys, path, what)


def test_one_huge_field_leaves_its_note_out_with_a_reason_and_imports_the_rest(tmp_path, capsys):
    huge = "x" * 30_000
    path = package(tmp_path, lambda c: c.execute("UPDATE notes SET flds = ? WHERE guid = 'qzbasic0002'",
                                                   (f"cat\x1f{huge}",)))
    home = tmp_path / "home"
    (home / "decks").mkdir(parents=True)
    assert main(["--home", str(home), "import", str(path)]) == 0
    out = capsys.readouterr()
    assert "qzbasic0002" in out.out + out.err and "30,000 characters long" in out.out
    written = next((home / "decks").glob("*.yaml")).read_text()
    assert "Hund" in written and "Wasser" in written and "Katze" not in written and huge not in written


def test_a_good_copy_of_the_package_still_imports(tmp_path, capsys):
    home = tmp_path / "home"
    (home / "decks").mkdir(parents=True)
    assert main(["--home", str(home), "import", str(package(tmp_path))]) == 0
    assert "Katze" in next((home / "decks").glob("*.yaml")).read_text()

