"""Every package of the corpus (tests/data/anki, built with Anki's own engine) comes in with the cards
Anki itself makes of it: one side to study per Anki card, the same question text, and only cards
quizapp cannot show (image occlusion, image-only questions) left out, each with its reason."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from quizapp.decks.models import card_items
from quizapp.interop.anki.notes import cards_from_package
from quizapp.interop.html import html_to_text

CORPUS = Path(__file__).parents[1] / "data" / "anki"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))["files"]
PACKAGES = sorted(name for name in EXPECTED if name.endswith((".apkg", ".colpkg")))
UNSHOWABLE = ("image occlusion", "only an image")


def _items(package):
    return {item.id: item for card in package.cards for item in card_items(card, "")}


def _line(text: str) -> str:
    """Text compared without spacing and the marks we add for <sup> (^) and ruby readings (brackets),
    which Anki's one-line text leaves out."""
    return "".join(text.split()).replace("^", "").replace("(", "").replace(")", "")


@pytest.mark.parametrize("name", PACKAGES)
def test_a_package_gives_one_side_to_study_per_anki_card(name):
    expected = EXPECTED[name]
    package = cards_from_package(CORPUS / name)
    unshowable = [line for line in package.left_out if any(why in line for why in UNSHOWABLE)]
    assert len(package.left_out) == len(unshowable), package.left_out
    left_out_cards = sum(
        len(note.cards) for note in package.collection.notes
        if any(f"note {note.guid!r}" in line and "image occlusion" in line for line in unshowable)
    ) + sum("only an image" in line for line in unshowable)
    assert len(_items(package)) == expected["cards"] - left_out_cards
    assert len(package.items) == len(_items(package))


@pytest.mark.parametrize("name", [n for n in PACKAGES if not n.startswith(("all", "image_occ"))])
def test_each_side_asks_what_anki_asks(name):
    """Anki's question, as one line of text, is ours too (where Anki shows a file name for an image we
    say it is an image; multi-field cloze notes show all their text)."""
    package = cards_from_package(CORPUS / name)
    items = _items(package)
    anki_ids = {(note.guid, card.ord): card.id for note in package.collection.notes for card in note.cards}
    compared = 0
    for note in EXPECTED[name]["sample_notes"]:
        if "display:none" in json.dumps(note["fields"]):
            continue  # Anki's text line keeps hidden text; a reader does not see it
        for card in note["cards"]:
            item = items.get(package.items.get(anki_ids[(note["guid"], card["ord"])]))
            if item is None:
                continue
            ours = _line(re.sub(r"\[image: ([^\]]*)\]", r"\1", "".join(text for text, _ in item.front_spans())))
            theirs = _line(card["question"].replace("[anki:play:q:0] ", ""))
            assert ours == theirs, (note["guid"], card["ord"])
            compared += 1
    assert compared


def test_a_junk_first_field_never_becomes_the_question():
    """A lecture note type asks its second field; the code in its first field is not a front."""
    package = cards_from_package(CORPUS / "custom.apkg")
    fronts = {card.front for card in package.cards}
    assert "What does DNA stand for?" in fronts
    assert not any(front.startswith("B1-CH") or front.isdigit() for front in fronts)


def test_localized_stock_note_types_keep_their_reverse_cards():
    for name in ("localized_de.apkg", "localized_ja.apkg"):
        package = cards_from_package(CORPUS / name)
        assert any(card.kind == "basic" and card.reverse for card in package.cards), name
        assert len(_items(package)) == EXPECTED[name]["cards"]


def test_nested_cloze_gives_a_card_for_each_deletion():
    package = cards_from_package(CORPUS / "cloze.apkg")
    texts = [card.text for card in package.cards]
    assert any("{{c1::outer inner text}}" in t for t in texts)
    assert any("outer {{c2::inner}} text" in t for t in texts)


def test_image_occlusion_notes_are_left_out_with_a_reason():
    package = cards_from_package(CORPUS / "image_occlusion.apkg")
    assert package.cards == [] and len(package.left_out) == 2
    assert all("image occlusion" in line for line in package.left_out)


@pytest.mark.parametrize("html, text", [
    ("<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>", "a | b\n1 | 2"),
    ("E = mc<sup>2</sup>", "E = mc^2"),
    ("<ruby>漢<rt>かん</rt>字<rt>じ</rt></ruby>", "漢(かん)字(じ)"),
    ("line one</br>line two", "line one\nline two"),
    ('visible<span style="display:none">HIDDEN</span> text', "visible text"),
    ('What colour? <img src="red.png">', "What colour? [image: red.png]"),
    ("bell\x08ring", "bellring"),
])
def test_html_becomes_the_text_a_reader_sees(html, text):
    assert html_to_text(html)[0] == text


def test_a_whole_collection_package_imports_with_its_history(tmp_path, capsys):
    from quizapp.cli.main import main

    (tmp_path / "decks").mkdir()
    assert main(["--home", str(tmp_path), "import", str(CORPUS / "all.colpkg")]) == 0
    out = capsys.readouterr().out
    assert "70 new cards to study" in out  # Anki's 82, less 5 it shows as images, less 7 with history
    assert "history: 23 answers" in out and "2 cards suspended" in out
