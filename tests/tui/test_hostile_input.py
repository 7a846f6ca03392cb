"""Hostile and broken input, as a user meets it: deck files dropped into a workspace that already has
progress, card text shown on the review screen, progress files that are not what they claim.

Each gets a message naming the file, line and field, or is shown inert; nothing stored is lost.
The loader's own parsing rules are tested in test_loader.py; a hypothesis test here feeds it random
YAML and expects only a clean result or a ``DeckError``.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import time

import pytest
import yaml
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from quizapp.cli.main import main
from quizapp.db.schema import SCHEMA_VERSION
from quizapp.db.store import Store
from quizapp.decks.models import MAX_TEXT_CHARS
from quizapp.decks.yaml_reader import parse_deck
from quizapp.errors import DeckError
from quizapp.session import open_workspace
from quizapp.workspace import Workspace
from tests.support.decks import SMALL_DECK, write_deck

MESSAGE = re.compile(r"^(decks/)?[\w./-]+\.yaml:\d+:\d+ ")
"""How every deck problem begins: file:line:col."""

BOMB = "id: bomb\ntitle: Bomb\na: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)

HOSTILE_DECKS = {
    "python-tag": (
        b"id: evil\ntitle: Evil\ncards:\n  - !!python/object/apply:os.system ['touch {marker}']\n",
        "zz.yaml:4:5 cards[0]: the tag !!python/object/apply:os.system is not allowed",
    ),
    "anchor-bomb": (BOMB.encode(), "anchors and aliases"),
    "duplicate-keys": (b"id: dup\ntitle: One\ntitle: Two\ncards: []\n", "zz.yaml:3:1 title: duplicate key 'title'"),
    "tabs": (b"id: tabs\ntitle: Tabs\ncards:\n\t- id: t1\n", "zz.yaml:4:1 a tab character"),
    "invalid-utf8": (b"id: bad\ntitle: caf\xe9\ncards: []\n", "zz.yaml:2:11 the file is not valid UTF-8"),
    "empty": (b"", "zz.yaml:1:1 the file is empty"),
    "not-a-mapping": (b"- just\n- a list\n", "zz.yaml:1:1 a deck file must be a mapping"),
    "unclosed": (b'id: q\ntitle: "never closed\ncards: []\n', "never closed"),
}


def studied_workspace(tmp_path) -> tuple[Workspace, dict]:
    """A workspace with the small deck and some progress; returns it and its progress."""
    write_deck(tmp_path / "decks", "small.yaml", SMALL_DECK)
    ws = Workspace(tmp_path, (tmp_path / "decks",), "test")
    opened = open_workspace(ws)
    study = opened.study()
    for _ in range(4):
        study.answer(study.next_item().id, 3, 1000)
    saved = progress_of(opened.store)
    opened.store.close()
    return ws, saved


def progress_of(store: Store) -> dict:
    return {
        "log": sorted(store.conn.execute("SELECT * FROM review_log").fetchall()),
        "cards": sorted(
            store.conn.execute("SELECT id, state, stability, difficulty, due, reps, lapses FROM cards").fetchall()
        ),
    }


@pytest.mark.parametrize("name", sorted(HOSTILE_DECKS))
def test_a_hostile_deck_file_is_reported_and_progress_is_untouched(tmp_path, name, capsys):
    ws, saved = studied_workspace(tmp_path)
    marker = tmp_path / "ran"
    data, expected = HOSTILE_DECKS[name]
    (ws.decks_dir / "zz.yaml").write_bytes(data.replace(b"{marker}", str(marker).encode()))

    started = time.monotonic()
    opened = open_workspace(ws)
    elapsed = time.monotonic() - started
    try:
        assert len(opened.decks.problems) == 1, opened.decks.problems
        problem = opened.decks.problems[0]
        assert MESSAGE.match(problem) and expected in problem, problem
        assert [d.id for d in opened.decks.decks] == ["small"]
        assert progress_of(opened.store) == saved
    finally:
        opened.store.close()
    assert not marker.exists()
    assert elapsed < 30  # an anchor bomb would take forever and all memory if expanded

    assert main(["--home", str(ws.home), "check"]) == 1
    captured = capsys.readouterr()
    assert expected in captured.err and "Traceback" not in captured.err
    assert main(["--home", str(ws.home), "decks"]) == 0


def test_a_50_mb_deck_file_is_refused_before_it_is_read(tmp_path):
    ws, saved = studied_workspace(tmp_path)
    with open(ws.decks_dir / "huge.yaml", "wb") as fh:
        fh.write(b"id: huge\ntitle: Huge\ncards:\n")
        fh.truncate(50 * 1024 * 1024)
    opened = open_workspace(ws)
    assert opened.decks.problems == [
        "decks/huge.yaml:1:1 the file is 52.4 MB; deck files are limited to 5 MB"
    ]
    assert progress_of(opened.store) == saved
    opened.store.close()


def test_a_link_to_a_file_outside_the_decks_folder_is_not_followed(tmp_path):
    ws, saved = studied_workspace(tmp_path)
    secret = tmp_path / "outside.yaml"
    secret.write_text("id: secret\ntitle: Secret\ncards:\n  - {id: x1, front: private, back: data, source: s}\n")
    (ws.decks_dir / "link.yaml").symlink_to(secret)
    opened = open_workspace(ws)
    assert len(opened.decks.problems) == 1
    assert opened.decks.problems[0].startswith("decks/link.yaml:1:1 a link to a file outside the decks folder")
    assert opened.decks.deck("secret") is None
    assert progress_of(opened.store) == saved
    opened.store.close()


def test_a_card_id_used_again_in_another_file_keeps_the_first_and_its_progress(tmp_path):
    ws, saved = studied_workspace(tmp_path)
    (ws.decks_dir / "zz.yaml").write_text(
        "id: copycat\ntitle: Copycat\ncards:\n  - {id: s-basic, front: impostor, back: x, source: s}\n"
    )
    opened = open_workspace(ws)
    assert opened.decks.problems == [
        "decks/zz.yaml:4:10 id: card id 's-basic' is already used in decks/small.yaml; this card is left out"
    ]
    assert opened.decks.card("s-basic").front.startswith("What does")
    assert opened.store.card_row("s-basic")["deck_id"] == "small"
    assert progress_of(opened.store) == saved
    opened.store.close()


def test_breaking_a_deck_file_keeps_its_progress_for_when_it_is_fixed(tmp_path):
    ws, saved = studied_workspace(tmp_path)
    good = (ws.decks_dir / "small.yaml").read_text()
    (ws.decks_dir / "small.yaml").write_text(good.replace("  - id: s-cloze", "\t- id: s-cloze"))
    opened = open_workspace(ws)
    assert "a tab character" in opened.decks.problems[0]
    # The cards are absent from the decks for now: kept as orphans with their history.
    assert opened.store.orphans() and progress_of(opened.store) == saved
    opened.store.close()

    (ws.decks_dir / "small.yaml").write_text(good)
    opened = open_workspace(ws)
    assert opened.decks.problems == [] and opened.store.orphans() == []
    assert progress_of(opened.store) == saved
    opened.store.close()


def test_yaml_implicit_types_and_a_bom_reach_the_screen_as_written(tmp_path):
    write_deck(tmp_path / "decks", "small.yaml", SMALL_DECK)
    (tmp_path / "decks" / "types.yaml").write_bytes(
        b"\xef\xbb\xbfid: types\ntitle: Types\ncards:\n"
        b"  - {id: t-no, front: no, back: 12:30, source: s}\n"
        b"  - {id: t-num, front: 012, back: 1.10, source: s}\n"
    )
    opened = open_workspace(Workspace(tmp_path, (tmp_path / "decks",), "test"))
    assert opened.decks.problems == []
    spans = {i.id: (i.front_spans(), i.back_spans()) for i in opened.decks.items() if i.deck_id == "types"}
    assert spans == {"t-no": ([("no", "")], [("12:30", "")]), "t-num": ([("012", "")], [("1.10", "")])}
    opened.store.close()


# ------------------------------------------------------------------ hostile text on screen

HOSTILE_TEXT_DECK = r"""
id: nasty
title: "Nasty [bold]deck[/bold]"
cards:
  - id: n-markup
    front: "[bold red]loud[/] [@click=app.quit]quit[/] [link=https://evil.example]x[/link] x[0] [/"
    back: "answer [b]"
    source: s
  - id: n-escapes
    front: "clear\e[2J screen, clipboard \e]52;c;aGFja2Vk\a, csi \x9b31m, nul \0 end"
    back: "title \e]0;pwned\a bell \a"
    source: s
  - id: n-rtl
    front: "user\u202Egnp.exe and \u2066isolate\u2069"
    back: "漢字とかな, 한국어, emoji 🎉🧠👩‍💻"
    source: s
"""


def screen_text(app) -> str:
    from textual.widgets import Static

    return "\n".join(str(w.render()) for w in app.screen.query(Static) if w.display)


async def test_hostile_card_text_is_shown_inert(tmp_path, clock):
    from quizapp.tui.app import QuizApp

    write_deck(tmp_path / "decks", "nasty.yaml", HOSTILE_TEXT_DECK)
    opened = open_workspace(Workspace(tmp_path, (tmp_path / "decks",), "test"))
    assert opened.decks.problems == []
    app = QuizApp(opened, clock=clock, start="review")
    seen = []
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(3):
            await pilot.pause()
            await pilot.press("space")
            await pilot.pause()
            seen.append(screen_text(app))
            await pilot.press("4")
        assert app.is_running  # [@click=app.quit] did not quit
        svg = app.export_screenshot()
    opened.store.close()
    shown = "\n".join(seen)
    # Markup shows as the characters written.
    assert "[bold red]loud[/] [@click=app.quit]quit[/] [link=https://evil.example]x[/link] x[0] [/" in shown
    # No control character reaches the terminal; each is a visible symbol instead.
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", shown)
    assert "clear␛[2J screen, clipboard ␛]52;c;aGFja2Vk␇" in shown
    assert "<U+009B>31m" in shown and "nul ␀ end" in shown
    assert "user<U+202E>gnp.exe" in shown
    assert "漢字とかな, 한국어, emoji 🎉🧠👩‍💻" in shown
    assert "\x1b" not in svg and "\u202e" not in svg


def test_a_one_megabyte_line_is_refused_with_its_place(tmp_path):
    ws, saved = studied_workspace(tmp_path)
    line = ("word " * 200_000).strip()
    (ws.decks_dir / "long.yaml").write_text(
        f"id: long\ntitle: Long\ncards:\n  - id: l1\n    front: '{line}'\n    back: b\n    source: s\n"
    )
    opened = open_workspace(ws)
    assert opened.decks.problems == [
        "decks/long.yaml:5:12 cards[0].front: this text is 999,999 characters long; a value holds at most 20,000"
    ]
    assert progress_of(opened.store) == saved
    opened.store.close()


async def test_the_longest_text_a_card_may_hold_is_shown(tmp_path, clock):
    from quizapp.tui.app import QuizApp

    words = MAX_TEXT_CHARS // 6 - 1
    longest = ("wordy " * words).strip()
    write_deck(
        tmp_path / "decks",
        "long.yaml",
        f"id: long\ntitle: Long\ncards:\n  - id: l1\n    front: '{longest} END'\n    back: b\n    source: s\n",
    )
    opened = open_workspace(Workspace(tmp_path, (tmp_path / "decks",), "test"))
    assert opened.decks.problems == []
    app = QuizApp(opened, clock=clock, start="review")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert screen_text(app).count("wordy") == words and "END" in screen_text(app)
        await pilot.press("space", "3")
        await pilot.pause()
    assert opened.store.log_count() == 1
    opened.store.close()


# ------------------------------------------------------------------ hostile progress files


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _make_truncated(path) -> None:
    store = Store.open(path)
    store.sync_items([(f"c{n}", "d", "basic") for n in range(2000)])
    store.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _make_foreign(path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.execute("INSERT INTO recipes VALUES ('soup')")
    conn.commit()
    conn.close()


def _make_newer(path) -> None:
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    "make, words",
    [(_make_truncated, "damaged"), (_make_foreign, "did not write"), (_make_newer, "newer quizapp")],
    ids=["truncated", "foreign", "newer"],
)
def test_a_progress_file_that_is_not_usable_is_refused_untouched(workspace, make, words, capsys):
    workspace.progress_dir.mkdir()
    make(workspace.db_path)
    before = _digest(workspace.db_path)
    for command in (["decks"], ["doctor"], ["backup"], ["merge", str(workspace.db_path)]):
        assert main(["--home", str(workspace.home), *command]) == 1
        captured = capsys.readouterr()
        assert words in captured.out + captured.err, (command, captured)
        assert "Traceback" not in captured.out + captured.err
    assert _digest(workspace.db_path) == before


def test_a_zero_byte_progress_file_becomes_a_new_database(workspace):
    workspace.progress_dir.mkdir()
    workspace.db_path.write_bytes(b"")
    opened = open_workspace(workspace)
    study = opened.study()
    study.answer(study.next_item().id, 3)
    assert opened.store.log_count() == 1
    opened.store.close()


def test_a_database_emptied_beside_its_backups_is_refused_and_restorable(workspace, capsys):
    opened = open_workspace(workspace)
    study = opened.study()
    study.answer(study.next_item().id, 3)
    opened.store.close()
    assert main(["--home", str(workspace.home), "backup"]) == 0
    workspace.db_path.write_bytes(b"")  # a sync tool or a full disk emptied it
    for suffix in ("-wal", "-shm"):
        workspace.db_path.with_name(workspace.db_path.name + suffix).unlink(missing_ok=True)
    capsys.readouterr()

    assert main(["--home", str(workspace.home), "decks"]) == 1
    err = capsys.readouterr().err
    assert "is empty, yet there are backups" in err and "quizapp restore quizapp-" in err
    assert workspace.db_path.read_bytes() == b""

    name = re.search(r"quizapp-[^\s`]+\.db", err).group()
    assert main(["--home", str(workspace.home), "restore", name]) == 0
    store = Store.open(workspace.db_path)
    assert store.log_count() == 1
    store.close()


def test_hostile_ids_in_a_progress_file_are_printed_inert(opened, capsys, workspace):
    with opened.store.write() as c:
        c.execute(
            "INSERT INTO review_log(id, card_id, rating, reviewed_at) VALUES "
            "('a1', 'evil\x1b]52;c;aGk=\x07\x1b[2J', 3, '2026-03-01T00:00:00+00:00')"
        )
    assert main(["--home", str(workspace.home), "doctor"]) == 0
    out = capsys.readouterr().out
    assert "evil␛]52;c;aGk=␇␛[2J" in out
    assert "\x1b" not in out and "\x07" not in out


# ------------------------------------------------------------------ random YAML


_TOKENS = [
    "id: ", "title: ", "cards:", "\n", "\n  - ", "  ", "    ", "front: ", "back: ", "kind: ", "cloze", "choice",
    "source: ", "text: ", "{{c1::", "}}", "&a ", "*a", "<<: *a", "!!python/object/apply:os.system ", "!!binary ",
    "!custom ", "\t", "{", "}", "[", "]", ", ", "'", '"', "? ", ": ", "- ", "|", ">", "---\n", "...\n", "%YAML 1.1\n",
    "#", "\\", "\\x", "\\e", "no", "12:30", "012", "1.10", "~", "null", "\ufeff", "\x00", "\x1b", "\u202e", "💥",
]

yaml_like = st.lists(st.one_of(st.sampled_from(_TOKENS), st.text(max_size=4)), max_size=60).map("".join)

_scalars = st.one_of(st.text(max_size=12), st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False))
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)
_card = st.fixed_dictionaries(
    {"id": st.one_of(st.text(max_size=10), st.just("c1"))},
    optional={
        "kind": st.sampled_from(["basic", "cloze", "choice", "order", "interview", "nope"]),
        "front": _values, "back": _values, "text": _values, "source": _values, "choices": _values,
        "answer": _values, "items": _values, "prompt": _values, "rubric": _values, "year": _values,
        "event": _values, "tags": _values, "reverse": _values, "model_answer": _values,
    },
)
_good_card = st.builds(lambda n: {"id": f"c{n}", "front": "q", "back": "a", "source": "s"}, st.integers(0, 9))
"""A well-formed card among the noise, so that decks also load and reach what follows validation."""
deck_like = st.fixed_dictionaries(
    {"id": st.one_of(st.text(max_size=10), st.just("deck")), "title": _values, "cards": st.lists(st.one_of(_card, _good_card), max_size=4)}
).map(lambda d: yaml.safe_dump(d, allow_unicode=True))


def _check_loader(data: bytes) -> None:
    try:
        deck, problems = parse_deck(data, "decks/fuzz.yaml")
    except DeckError:
        return
    assert all(isinstance(p, str) and p.startswith("decks/fuzz.yaml:") for p in problems)
    assert deck is not None or problems
    if deck is not None:
        for item in deck.items():  # whatever loaded can be shown
            item.front_spans()
            item.back_spans()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(yaml_like.map(lambda t: t.encode("utf-8", "surrogatepass")), deck_like.map(str.encode), st.binary(max_size=200)))
def test_random_yaml_gives_a_deck_or_our_own_error(data):
    _check_loader(data)


def _parsed(text: str) -> tuple[object, list[str]]:
    try:
        return parse_deck(text.encode("utf-8", "surrogatepass"), "decks/fuzz.yaml")
    except DeckError:
        return None, []


def test_the_random_yaml_reaches_the_validation():
    """The generator is not only noise: some of its decks load with cards, and some are refused for a
    card's own fields, so the fuzz test above reaches card validation too."""
    search = settings(max_examples=1000, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    find(deck_like, lambda text: bool(getattr(_parsed(text)[0], "cards", None)), settings=search)
    find(deck_like, lambda text: any(re.search(r"cards\[\d+\]", p) for p in _parsed(text)[1]), settings=search)
