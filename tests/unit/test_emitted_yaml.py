"""The fast reader of quizapp's own YAML gives what PyYAML gives on every deck an import writes,
whatever text the cards hold; anything else is left to PyYAML, errors and all."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from quizapp.decks.emitted_yaml import read_emitted
from quizapp.decks.models import validate_card
from quizapp.decks.yaml_reader import parse_deck, read_yaml
from quizapp.interop.deckwriter import deck_document

COMMENT = "Imported with `quizapp import` from deck.apkg.\nImporting it again updates these cards by id."
HOSTILE = ['"', "'", ":", ": ", "#", " #", "- ", "-", "[", "]", "{", "}", ",", "|", ">", "&", "*", "!", "%", "@",
           "`", "?", "\\", "\\u00e9", "1.0", "012", "1e3", "0x1F", "yes", "No", "null", "~", "true", "---", "...",
           "é", "日本語", "😀", "\u00a0", "\n", "\n\n", " ", "  ", "\t", "\r\n", "\x85", "\u2028", "\ufeff", "<b>"]

_pieces = st.one_of(st.sampled_from(HOSTILE), st.text(min_size=1, max_size=8))
_lines = st.lists(st.sampled_from(["word", "two words", "- item", "a: b", "# h", "  indented", "", "1.0", "yes", "é"]),
                  min_size=2, max_size=5).map("\n".join)
texts = st.one_of(st.lists(_pieces, min_size=1, max_size=6).map("".join),
                  st.tuples(_lines, st.sampled_from(["", "\n"])).map("".join))
words = st.lists(st.sampled_from(["a", "b-c", "yes", "1.0", "x y", "null", "#t", "k: v", "é", "- z"]), max_size=4,
                 unique=True)


@st.composite
def cards(draw, index: int):
    kind = draw(st.sampled_from(["basic", "basic", "cloze", "choice"]))
    raw: dict = {"id": f"anki-{index}", "kind": kind, "tags": draw(words), "source": [draw(texts)]}
    if kind == "basic":
        raw.update(front=draw(texts), back=draw(texts), reverse=draw(st.booleans()))
    elif kind == "cloze":
        raw.update(text=draw(texts) + " {{c1::" + draw(texts) + "}}", extra=draw(texts))
    else:
        choices = draw(st.lists(texts, min_size=2, max_size=4, unique=True))
        raw.update(question=draw(texts), choices=choices, answer=choices[0])
    try:
        return validate_card(raw)
    except ValidationError:
        return None


@st.composite
def decks(draw):
    made = [draw(cards(i)) for i in range(draw(st.integers(1, 6)))]
    return draw(texts), draw(texts), [c for c in made if c is not None]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(decks())
def test_the_fast_reader_and_pyyaml_read_an_emitted_deck_alike(deck):
    title, description, made = deck
    text = "".join(deck_document("d", title, description, made, COMMENT)[0])
    fast = read_emitted(text)
    if fast is not None:
        doc, card_ids = fast
        slow, marks = read_yaml(text.encode("utf-8"), "d.yaml")
        assert doc == slow
        assert card_ids == {i: marks.at[("cards", i, "id")] for i in range(len(slow.get("cards") or []))}
    with_fast = parse_deck(text.encode("utf-8"), "d.yaml")
    with_pyyaml = parse_deck(text.encode("utf-8"), "d.yaml", fast=False)
    assert with_fast[1] == with_pyyaml[1]
    assert (with_fast[0] is None) == (with_pyyaml[0] is None)
    if with_fast[0] is not None and with_pyyaml[0] is not None:
        assert (with_fast[0].title, with_fast[0].description) == (with_pyyaml[0].title, with_pyyaml[0].description)
        assert (with_fast[0].cards, with_fast[0].lines) == (with_pyyaml[0].cards, with_pyyaml[0].lines)


def test_an_imported_deck_of_awkward_text_is_read_by_the_fast_reader():
    raw = [
        {"id": "a-1", "front": "What is 1.0?", "back": "yes", "tags": ["null", "x y"], "source": ["d.apkg"]},
        {"id": "a-2", "front": "key: value # not a comment", "back": "- a list?\n  indented\n\nend\n",
         "tags": ["#t", "k: v"], "source": ["a: b.csv"]},
        {"id": "a-3", "front": ' "quoted" and \\ back', "back": "日本語 😀 é", "source": ["x"]},
        {"id": "a-4", "kind": "cloze", "text": "The {{c1::answer}} is: 42", "extra": "012", "source": ["x"]},
        {"id": "a-5", "kind": "choice", "question": "Which?", "choices": ["yes", "no", "[x]"], "answer": "[x]",
         "source": ["x"]},
    ]
    made = [validate_card({"kind": "basic", **r}) for r in raw]
    text = "".join(deck_document("d", "Title: 'awkward' #1", "- described\nover lines", made, COMMENT)[0])
    fast = read_emitted(text)
    assert fast is not None
    deck, problems = parse_deck(text.encode("utf-8"), "d.yaml")
    assert problems == [] and deck is not None and deck.cards == made


def test_a_bad_card_in_an_imported_deck_is_reported_where_pyyaml_says(tmp_path):
    made = [validate_card({"id": f"a-{i}", "kind": "basic", "front": f"f{i}", "back": "b", "source": ["x"]})
            for i in range(3)]
    text = "".join(deck_document("d", "T", "", made, COMMENT)[0]).replace("  back: b\n", "  back: b\n  bogus: 1\n", 1)
    assert read_emitted(text) is not None
    fast = parse_deck(text.encode("utf-8"), "d.yaml")
    slow = parse_deck(text.encode("utf-8"), "d.yaml", fast=False)
    assert fast[1] == slow[1] and fast[0] is not None and slow[0] is not None and fast[0].cards == slow[0].cards
    assert fast[1] == ["d.yaml:10:3 cards[0].bogus: unknown field"]


def test_hand_written_yaml_is_left_to_pyyaml():
    for text in ["# Imported with `quizapp import`\nid: d\ntitle: T  # a comment\ncards:\n- id: x\n  front: f\n  back: b\n",
                 "# Imported with `quizapp import`\nid: d\ntitle: >\n  folded\ncards: []\n",
                 "# Imported with `quizapp import`\nid: d\ntitle: 'single'\ncards: []\n",
                 "# Imported with `quizapp import`\nid: d\ntitle: T\ncards:\n- id: x\n  front: f\n    more\n  back: b\n"]:
        assert read_emitted(text) is None, text
