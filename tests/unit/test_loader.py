"""Deck files: what loads, and the message every kind of bad input gets."""


from quizapp.decks.loader import load_deck_file, load_decks
from quizapp.decks.yaml_reader import parse_deck
from tests.support.decks import write_deck

HEADER = "id: d\ntitle: T\ncards:\n"


def problems(text: str | bytes) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    return parse_deck(data, "decks/x.yaml")[1]


def test_missing_field_names_file_line_and_field():
    assert problems(HEADER + "  - id: a\n    front: q\n    source: s\n") == [
        "decks/x.yaml:4:5 cards[0].back: field required"
    ]


def test_every_error_of_a_file_is_reported_at_once_and_good_cards_still_load():
    deck, found = parse_deck(
        (
            HEADER
            + "  - id: a\n    front: q\n    source: s\n"  # no back
            + "  - id: b\n    front: q\n    back: b\n    source: s\n"  # fine
            + "  - id: c\n    kind: choice\n    question: q\n    choices: [x, y]\n    answer: z\n    source: s\n"
            + "  - id: d\n    front: q\n    back: b\n    bakc: c\n    source: s\n"
        ).encode(),
        "decks/x.yaml",
    )
    assert found == [
        "decks/x.yaml:4:5 cards[0].back: field required",
        "decks/x.yaml:11:5 cards[2]: answer must be one of the choices, written the same way",
        "decks/x.yaml:20:5 cards[3].bakc: unknown field",
    ]
    assert [c.id for c in deck.cards] == ["b"]


def test_duplicate_id_in_one_file():
    text = HEADER + "  - id: a\n    front: q\n    back: b\n    source: s\n" * 2
    assert problems(text) == ["decks/x.yaml:8:9 cards[1].id: duplicate id 'a' (also cards[0])"]


def test_duplicate_key_is_refused_with_its_line():
    assert problems(HEADER + "  - id: a\n    front: q\n    front: r\n    back: b\n    source: s\n") == [
        "decks/x.yaml:6:5 cards[0].front: duplicate key 'front'"
    ]


def test_tab_indentation():
    assert problems(HEADER + "\t- id: a\n") == ["decks/x.yaml:4:1 a tab character; YAML indents with spaces only"]


def test_unclosed_quote_points_at_where_it_opened():
    found = problems('id: d\ntitle: "T\ncards: []\n')
    assert found[0].startswith("decks/x.yaml:2:8 ") and "never closed" in found[0]


def test_python_object_tag_is_refused_and_never_run(tmp_path):
    marker = tmp_path / "ran"
    found = problems(f"id: d\ntitle: !!python/object/apply:os.system ['touch {marker}']\ncards: []\n")
    assert found == ["decks/x.yaml:2:8 title: the tag !!python/object/apply:os.system is not allowed in deck files"]
    assert not marker.exists()


def test_anchor_bomb_is_refused_quickly():
    bomb = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    found = problems(bomb)
    assert len(found) == 1 and "anchors and aliases" in found[0]


def test_invalid_utf8_names_the_line():
    assert problems(b"id: d\ntitle: caf\xe9\ncards: []\n") == [
        "decks/x.yaml:2:11 the file is not valid UTF-8 (byte 0xe9)"
    ]


def test_yaml_implicit_types_stay_text_as_written():
    deck, found = parse_deck(
        (HEADER + "  - id: a\n    front: no\n    back: 12:30\n    source: ['1.10']\n    tags: [012, yes]\n").encode(),
        "x.yaml",
    )
    assert found == []
    card = deck.cards[0]
    assert (card.front, card.back, card.source, card.tags) == ("no", "12:30", ["1.10"], ["012", "yes"])


def test_bom_is_accepted():
    deck, found = parse_deck(b"\xef\xbb\xbf" + (HEADER + "  - id: a\n    front: q\n    back: b\n    source: s\n").encode(), "x")
    assert found == [] and deck.cards[0].id == "a"


def test_one_bad_file_never_stops_the_other_decks(tmp_path):
    write_deck(tmp_path, "a.yaml", "id: good\ntitle: Good\ncards:\n  - {id: g1, front: q, back: a, source: s}\n")
    write_deck(tmp_path, "b.yaml", "id: bad\ntitle: [unclosed\n")
    loaded = load_decks([tmp_path], base=tmp_path)
    assert [d.id for d in loaded.decks] == ["good"]
    assert len(loaded.problems) == 1 and loaded.problems[0].startswith("b.yaml:")


def test_duplicate_card_id_across_files_is_reported_and_first_kept(tmp_path):
    write_deck(tmp_path, "a.yaml", "id: one\ntitle: One\ncards:\n  - {id: same, front: q1, back: a, source: s}\n")
    write_deck(tmp_path, "b.yaml", "id: two\ntitle: Two\ncards:\n  - {id: other, front: q, back: a, source: s}\n  - {id: same, front: q2, back: a, source: s}\n")
    loaded = load_decks([tmp_path], base=tmp_path)
    assert loaded.problems == ["b.yaml:5:10 id: card id 'same' is already used in a.yaml; this card is left out"]
    assert loaded.card("same").front == "q1"
    assert loaded.card("other") is not None


def test_symlink_outside_the_decks_folder_is_not_followed(tmp_path):
    outside = tmp_path / "secret.yaml"
    outside.write_text("id: s\ntitle: S\ncards: []\n")
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "link.yaml").symlink_to(outside)
    loaded = load_decks([decks], base=tmp_path)
    assert loaded.decks == []
    assert "outside the decks folder" in loaded.problems[0]


def test_oversized_file_is_refused_without_parsing(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"id: b\ntitle: B\ncards: []\n# " + b"x" * (6 * 1024 * 1024) + b"\n")
    deck, found = load_deck_file(big, "decks/big.yaml")
    assert deck is None and "MB" in found[0] and found[0].startswith("decks/big.yaml:1:1")


def test_cloze_and_reverse_cards_make_stable_item_ids():
    deck, _ = parse_deck(
        (
            HEADER
            + "  - {id: c, kind: cloze, text: 'a {{c1::b}} {{c2::d}}', source: s}\n"
            + "  - {id: r, front: q, back: a, reverse: true, source: s}\n"
        ).encode(),
        "x",
    )
    assert [i.id for i in deck.items()] == ["c", "c::c2", "r", "r::reverse"]
    cloze = list(deck.items())[1]
    assert "".join(t for t, _ in cloze.front_spans()) == "a b [...]"
