"""A read-only workspace (or export folder): every command that writes ends in a message, nothing written.

Root is never denied by permissions, so a read-only folder is played by ``os.access`` saying so (as
it does for a read-only file system, even for root), and a read-only file system by writes failing
with EROFS.
"""

from __future__ import annotations

import errno
import os
import pathlib
from pathlib import Path

import pytest

from quizapp.cli.main import main
from tests.support.decks import SMALL_DECK, write_deck

DATA = Path(__file__).parents[1] / "data" / "anki"


@pytest.fixture
def home(tmp_path):
    home = tmp_path / "home"
    write_deck(home / "decks", "small.yaml", SMALL_DECK)
    assert main(["--home", str(home), "decks"]) == 0  # a progress database to protect
    return home


def _read_only(monkeypatch, *folders: Path) -> None:
    real = os.access
    denied = [f.resolve() for f in folders]

    def access(path, mode, *args, **kwargs):
        where = Path(path).resolve()
        if mode & os.W_OK and any(where == d or d in where.parents for d in denied):
            return False
        return real(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("folder", ["decks", "progress"])
@pytest.mark.parametrize("package", ["basic.apkg", "handmade_noheader.csv"])
def test_import_into_a_read_only_workspace_is_a_message(home, monkeypatch, capsys, folder, package):
    before = _files(home)
    _read_only(monkeypatch, home / folder)
    assert main(["--home", str(home), "import", str(DATA / package)]) == 1
    err = capsys.readouterr().err
    assert f"{home / folder} is read-only" in err and "Nothing was written" in err and "Traceback" not in err
    assert _files(home) == before


def test_a_new_deck_in_a_read_only_decks_folder_is_a_message(home, monkeypatch, capsys):
    before = _files(home)
    _read_only(monkeypatch, home / "decks")
    assert main(["--home", str(home), "new-deck", "Transformers"]) == 1
    assert f"{home / 'decks'} is read-only" in capsys.readouterr().err
    assert _files(home) == before


@pytest.mark.parametrize("name", ["out.csv", "out.tsv", "out.apkg", "new/out.apkg"])
def test_export_onto_a_read_only_file_system_is_a_message(home, monkeypatch, capsys, tmp_path, name):
    def erofs(self, *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(self))

    for method in ("replace", "unlink", "write_text", "mkdir"):
        monkeypatch.setattr(pathlib.Path, method, erofs)
    monkeypatch.setattr(os, "replace", lambda *a: erofs(Path(a[0])))
    target = tmp_path / "media" / name
    assert main(["--home", str(home), "export", "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert f"cannot write {target}: Read-only file system" in err
