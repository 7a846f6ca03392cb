"""Anki notes to quizapp cards, by their note type's card templates.

Each template that Anki would make a card from becomes a side to study: its rendered question is
the front, the part of its answer after ``<hr id=answer>`` the back. A second template that asks
the first one backwards (Basic and reversed, in any language) makes the card ``reverse``; other
templates make basic cards of their own (``<note id>-card2``...). Cloze note types become cloze
cards from every field their question uses with ``{{cloze:...}}``; nested deletions and
``{{c1,2::...}}`` become one card per number (``<note id>-c2``...), as Anki asks them. Image
occlusion notes and cards whose question is only an image are left out with the reason.

Every Anki card of a note is mapped to the id of the quizapp item studied in its place, so an
import can carry its review history and suspension over (see ``history``).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from quizapp.decks.models import card_items, validate_card
from quizapp.interop.anki.package import (
    IMAGE_OCCLUSION,
    AnkiNote,
    Collection,
    read_collection,
)
from quizapp.interop.anki.templates import (
    answer_part,
    cloze_numbers,
    flatten,
    needs_flattening,
    render,
)
from quizapp.interop.html import IMAGE_MARK_RE, html_to_text, text_to_html
from quizapp.interop.ids import card_id_for_guid, slug

DATA_FIELD = "quizapp"
"""The hidden field holding the card itself as JSON, so our cards come back exactly."""


@dataclass
class PackageCards:
    """The cards made from a package's notes, with what could not come in and why."""

    cards: list[Any]
    title: str
    """The deck name the notes share (its last part), else the file's name."""
    left_out: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    items: dict[int, str] = field(default_factory=dict)
    """Anki card id -> the id of the quizapp item studied in its place."""
    collection: Collection | None = None


class LeftOut(Exception):
    """Why a note (or one of its cards) could not come in."""


def cards_from_package(path: Path) -> PackageCards:
    """Read an Anki package and turn each note into quizapp cards, one side per Anki card."""
    path = Path(path)
    collection = read_collection(path)
    notes = collection.notes
    result = PackageCards([], _title(notes, path), collection=collection)
    several_decks = len({n.deck for n in notes if n.deck}) > 1
    with_media = occlusion = 0
    skipped_cards: Counter = Counter()
    for note in notes:
        where = f"{path.name}: note {note.guid!r} ({note.notetype}{', deck ' + note.deck if note.deck else ''})"
        try:
            try:
                made = note_cards(note, path.name, deck_tag=several_decks)
            except RecursionError:
                raise LeftOut("its cloze deletions are nested too deeply to read") from None
        except LeftOut as exc:
            result.left_out.append(f"{where}: {exc}")
            occlusion += int(note.note_type is not None and note.note_type.stock_kind == IMAGE_OCCLUSION)
            continue
        with_media += int(made.media > 0)
        for reason in made.skipped:
            result.left_out.append(f"{where}: {reason}")
            skipped_cards[note.guid] += 1
        result.cards.extend(made.cards)
        by_ord = {card.ord: card.id for card in note.cards}
        for ord, item_id in made.items.items():
            if ord in by_ord:
                result.items[by_ord[ord]] = item_id
    if result.left_out:
        whole = len(result.left_out) - sum(skipped_cards.values())
        result.notes.append(
            f"{whole} of {len(notes)} notes, and {sum(skipped_cards.values())} cards of other notes, could not "
            "become cards and were left out" + (f" ({occlusion} image occlusion notes)" if occlusion else "")
        )
    if with_media:
        result.notes.append(f"{with_media} notes referred to images or sounds, which quizapp does not show; their text came in")
    return result


@dataclass
class NoteCards:
    cards: list[Any]
    items: dict[int, str]
    """Anki card ordinal -> quizapp item id."""
    media: int = 0
    skipped: list[str] = field(default_factory=list)


def note_cards(note: AnkiNote, source: str, deck_tag: bool = False) -> NoteCards:
    """The quizapp cards for one Anki note; raises ``LeftOut`` when it can make none."""
    card_id = card_id_for_guid(note.guid)
    tags = [t for t in note.tags if t]
    if deck_tag and note.deck:
        tags.append("_".join(note.deck.split()))
    own = _own_card(note, card_id)
    if own is not None:
        return NoteCards([own], _ords(own))
    kind = note.note_type
    if kind is None or not kind.templates:
        raise LeftOut("its note type is missing from the package")
    if kind.stock_kind == IMAGE_OCCLUSION or any("image-occlusion" in t.qfmt for t in kind.templates):
        raise LeftOut("an image occlusion note: its questions are shapes drawn on an image, which quizapp cannot show")
    values = dict(zip(note.field_names, note.fields))
    if note.cloze:
        return _cloze(note, values, card_id, tags, source)
    return _basic(note, values, card_id, tags, source)


def _sides(template, values: dict[str, str]) -> tuple[str, str, int, bool]:
    """(question, answer, media dropped, whether Anki makes this card)."""
    question = render(template.qfmt, values)
    answer = render(template.afmt, values, answer=True)
    front, media_front = html_to_text(question.html)
    back, media_back = html_to_text(answer_part(answer.html))
    return front, back, media_front + media_back, question.filled > 0


def _basic(note: AnkiNote, values: dict[str, str], card_id: str, tags: list[str], source: str) -> NoteCards:
    sides = []
    media = 0
    skipped = []
    for template in note.note_type.templates:  # type: ignore[union-attr]
        front, back, dropped, made = _sides(template, values)
        if not made:
            continue
        media += dropped
        if not IMAGE_MARK_RE.sub("", front).strip():
            skipped.append(f"card '{template.name}': its question is only an image or sound, which quizapp cannot show")
            continue
        if not IMAGE_MARK_RE.sub("", back).strip():
            skipped.append(f"card '{template.name}': its answer is empty once HTML and media are removed")
            continue
        sides.append((template.ord, front, back))
    if not sides:
        raise LeftOut("; ".join(skipped) or "its note type's templates make no card from it (its fields are empty)")
    common = {"kind": "basic", "tags": tags, "source": [source]}
    if len(sides) == 2 and sides[0][1:] == sides[1][1:][::-1]:
        card = _validated({"id": card_id, "front": sides[0][1], "back": sides[0][2], "reverse": True, **common})
        return NoteCards([card], {sides[0][0]: card_id, sides[1][0]: f"{card_id}::reverse"}, media, skipped)
    cards, items = [], {}
    for ord, front, back in sides:
        this_id = card_id if ord == 0 else f"{card_id}-card{ord + 1}"
        try:
            cards.append(_validated({"id": this_id, "front": front, "back": back, **common}))
        except LeftOut as exc:
            skipped.append(f"card {ord + 1}: {exc}")
            continue
        items[ord] = this_id
    if not cards:
        raise LeftOut("; ".join(skipped))
    return NoteCards(cards, items, media, skipped)


def _cloze(note: AnkiNote, values: dict[str, str], card_id: str, tags: list[str], source: str) -> NoteCards:
    template = note.note_type.templates[0]  # type: ignore[union-attr]
    used = render(template.qfmt, values).cloze_fields or [n for n in ("Text",) if n in values]
    texts, media = [], 0
    for name in dict.fromkeys(used):
        text, dropped = html_to_text(values.get(name, ""))
        media += dropped
        if cloze_numbers(text):
            texts.append(text)
    if not texts:
        raise LeftOut("its text has no cloze deletion {{c1::...}} left once HTML is removed")
    blanked = {**values, **{name: "" for name in used}}
    extra, dropped = html_to_text(answer_part(render(template.afmt, blanked, answer=True).html))
    media += dropped
    common = {"kind": "cloze", "extra": extra, "tags": tags, "source": [source]}
    numbers = [set(cloze_numbers(t)) for t in texts]
    nested = any(needs_flattening(t) for t in texts)
    if len(texts) == 1 and not nested:
        card = _validated({"id": card_id, "text": texts[0], **common})
        return NoteCards([card], _ords(card), media)
    cards, items = [], {}
    if sum(map(len, numbers)) == len(set().union(*numbers)) and not nested:
        # Each field's deletions are its own (Anki shows a cloze field only on the cards of its
        # numbers): a card a field, as Anki asks them.
        for i, field_text in enumerate(texts):
            card = _validated({"id": card_id if i == 0 else f"{card_id}-f{i + 1}", "text": field_text, **common})
            cards.append(card)
            items.update(_ords(card))
        return NoteCards(cards, items, media)
    # Nested deletions, {{c1,2::...}}, or a number in several fields: a card a number, holding the
    # fields Anki shows on that card with that number's deletions hidden and the others as text.
    every = sorted(set().union(*numbers))
    for number in every:
        shown = "\n\n".join(flatten(t, number) for t, found in zip(texts, numbers) if number in found)
        card = _validated({"id": card_id if number == every[0] else f"{card_id}-c{number}", "text": shown, **common})
        cards.append(card)
        items[number - 1] = card_items(card, "")[0].id
    return NoteCards(cards, items, media)


def _ords(card: Any) -> dict[int, str]:
    """Anki card ordinal -> our item id, for the cards a note of ours makes."""
    return {card.ordinal(item.variant): item.id for item in card_items(card, "")}


def _validated(raw: dict) -> Any:
    from quizapp.interop.deckwriter import too_long

    if too_long(raw):
        raise LeftOut("; ".join(f"{name}: {message}" for name, message in too_long(raw)))
    try:
        return validate_card(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors())
        raise LeftOut(problems) from None


def _title(notes: list[AnkiNote], path: Path) -> str:
    decks = [n.deck.split("::") for n in notes if n.deck]
    if decks:
        common = decks[0]
        for parts in decks[1:]:
            n = 0
            while n < min(len(common), len(parts)) and common[n] == parts[n]:
                n += 1
            common = common[:n]
        # "quizapp" alone is the parent our own export puts every deck under, not a deck of its own.
        if common and common[-1] not in ("", "Default") and common != ["quizapp"]:
            return common[-1]
    return path.stem


def _named(note: AnkiNote, *names: str) -> int | None:
    lowered = [n.lower() for n in note.field_names]
    for name in names:
        if name.lower() in lowered:
            return lowered.index(name.lower())
    return None


def _tag(tag: str) -> str:
    return "_".join(tag.split())


def _own_card(note: AnkiNote, card_id: str) -> Any | None:
    """The card a note we exported carries, with the edits made to it in Anki; None for other notes."""
    at = _named(note, DATA_FIELD)
    if at is None or at >= len(note.fields):
        return None
    try:
        data = json.loads(html_to_text(note.fields[at])[0])
        card = validate_card(data)
    except (ValueError, ValidationError):
        return None
    if card.id != card_id:
        # A copy made in Anki has a new GUID: it is a card of its own, read from its fields.
        return None
    changes: dict[str, Any] = {}
    sides = {"basic": ("front", "back"), "cloze": ("text", "extra")}.get(card.kind, ())
    for index, name in enumerate(sides):
        value = html_to_text(note.fields[index])[0] if index < len(note.fields) else ""
        # Keep our exact text (trailing line breaks, spacing) unless the field was really edited.
        if value != html_to_text(text_to_html(getattr(card, name)))[0]:
            changes[name] = value
    if [_tag(t) for t in card.tags] != note.tags:
        changes["tags"] = note.tags
    return _validated({**card.model_dump(), **changes}) if changes else card


def default_deck_id(package: PackageCards) -> str:
    """The deck id an import uses when none is given: the package's deck name, made id-safe."""
    return slug(package.title)
