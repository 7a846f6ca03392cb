"""The command line: check, where, decks, help, and errors as messages rather than tracebacks."""

import subprocess
import sys
from pathlib import Path

import pytest

from quizapp.cli.main import COMMANDS, main
from tests.support.decks import SMALL_DECK, write_deck

ROOT = Path(__file__).resolve().parents[2]


def test_check_passes_on_good_decks_and_fails_with_file_line_on_bad(tmp_path, capsys):
    good = write_deck(tmp_path, "good.yaml", SMALL_DECK)
    assert main(["check", str(good)]) == 0
    assert "1 decks, 7 cards (5 written in the files), 0 problems" in capsys.readouterr().out
    bad = write_deck(tmp_path, "bad.yaml", "id: b\ntitle: B\ncards:\n  - id: x\n    front: q\n    source: s\n")
    assert main(["check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:4:5 cards[0].back: field required" in err


def test_check_of_the_workspace_reports_bad_files_and_keeps_going(tmp_path, capsys):
    write_deck(tmp_path / "decks", "a.yaml", SMALL_DECK)
    write_deck(tmp_path / "decks", "b.yaml", "id: b\ntitle: !!python/object:os.system x\ncards: []\n")
    assert main(["--home", str(tmp_path), "check"]) == 1
    out = capsys.readouterr()
    assert "decks/b.yaml:2:8 title: the tag" in out.err
    assert "problems" in out.out


def test_where_prints_the_paths_in_use(tmp_path, capsys):
    assert main(["--home", str(tmp_path), "where"]) == 0
    out = capsys.readouterr().out
    assert str(tmp_path / "progress" / "quizapp.db") in out and "--home" in out


def test_quizapp_home_env_names_the_workspace(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("QUIZAPP_HOME", str(tmp_path))
    assert main(["where"]) == 0
    assert "QUIZAPP_HOME" in capsys.readouterr().out


def test_a_checkout_is_a_workspace(monkeypatch, capsys):
    monkeypatch.delenv("QUIZAPP_HOME", raising=False)
    monkeypatch.chdir(ROOT)
    assert main(["where"]) == 0
    assert f"decks:     {ROOT / 'decks'}" in capsys.readouterr().out


def test_decks_lists_counts_including_bundled_decks(tmp_path, capsys):
    write_deck(tmp_path / "decks", "a.yaml", SMALL_DECK)
    assert main(["--home", str(tmp_path), "decks"]) == 0
    out = capsys.readouterr().out
    assert "small" in out and "pytorch-milestones" in out


def test_foreign_progress_file_is_a_message_not_a_traceback(tmp_path, capsys):
    (tmp_path / "progress").mkdir()
    (tmp_path / "progress" / "quizapp.db").write_text("not a database")
    assert main(["--home", str(tmp_path), "decks"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("quizapp: ") and "Traceback" not in err


def test_review_of_an_unknown_deck_says_which_decks_exist(tmp_path, capsys):
    assert main(["--home", str(tmp_path), "review", "--deck", "nope"]) == 1
    assert "no deck with id 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize("name", sorted(command.name for command in COMMANDS))
def test_every_command_has_help(name, capsys):
    with pytest.raises(SystemExit) as exc:
        main([name, "--help"])
    assert exc.value.code == 0
    assert "usage: quizapp" in capsys.readouterr().out


def test_python_dash_m_runs_the_cli(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "quizapp", "--home", str(tmp_path), "where"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0 and "progress:" in result.stdout
