"""Deck limits: `check` and `decks` refuse and accept the same cards (one limit in the schema)."""

from __future__ import annotations

from quizapp.cli.main import main
from quizapp.decks.models import MAX_TEXT_CHARS


def _write(home, name: str, body: str) -> None:
    (home / "decks").mkdir(parents=True, exist_ok=True)
    (home / "decks" / name).write_text(body, encoding="utf-8")


def _deck_line(out: str, deck_id: str) -> list[str]:
    return next(line.split() for line in out.splitlines() if line.startswith(deck_id + " "))


def test_huge_cloze_and_order_cards_are_refused_by_check_and_decks_alike(tmp_path, capsys):
    home = tmp_path / "home"
    items = "\n".join(f"      - item {i}" for i in range(20_000))
    deletions = "".join(f"{{{{c{i}::w}}}}" for i in range(1, 5_001))
    assert len(deletions) > MAX_TEXT_CHARS
    fitting = "".join(f"{{{{c{i}::w}}}}" for i in range(1, 1_001))
    _write(home, "big.yaml", f"""id: big
title: Big
cards:
  - id: big-order
    source: test
    kind: order
    prompt: Put in order
    items:
{items}
  - id: big-fits
    source: test
    kind: cloze
    text: "{fitting}"
  - id: big-ok
    source: test
    front: a
    back: b
""")
    _write(home, "long.yaml", f"""id: long
title: Long
cards:
  - id: long-cloze
    source: test
    kind: cloze
    text: "{deletions}"
""")
    assert main(["--home", str(home), "check"]) == 1
    check = capsys.readouterr()
    assert main(["--home", str(home), "decks"]) == 0
    decks = capsys.readouterr()
    refused = sorted(line for line in check.err.splitlines() if "big.yaml" in line or "long.yaml" in line)
    assert any("big.yaml" in line and "cards[0].items" in line for line in refused)
    assert any("long.yaml" in line and "cards[0].text" in line for line in refused)
    assert sorted(line for line in decks.err.splitlines() if "big.yaml" in line or "long.yaml" in line) == refused
    assert not any(line.startswith("long ") for line in decks.out.splitlines())
    # The cards both accept: the basic card and the cloze of 1,000 deletions (a card each).
    assert _deck_line(decks.out, "big")[5] == "1001"
    own = [line for line in check.out.splitlines() if "decks," in line][0]
    assert main(["check", str(home / "decks")]) == 1
    assert "1 decks, 1001 cards" in capsys.readouterr().out and "decks, " in own
