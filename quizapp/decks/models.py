"""Deck files' cards: one dataclass per kind, the review items they give, decks and sets of decks.

A deck file is a YAML mapping::

    id: pytorch-milestones
    title: PyTorch milestones
    description: optional text
    cards:
      - id: ms-2016-release
        kind: basic            # basic | cloze | choice | order | interview (basic when left out)
        front: ...
        back: ...
        source: [002_18f98a9d08c2b30b.txt]
        tags: [timeline]

Every scalar is read as the string it is written as (``no``, ``12:30``, ``012`` and ``1.10`` stay
text); pydantic turns the few numeric and boolean fields into numbers. Anchors, aliases, tags
such as ``!!python/object`` and duplicate keys are refused.

Longer than 400 lines: one dataclass per card kind, each with its own behaviour (the items it
gives, how its question and answer are shown), and the deck set's lookups, which all need them.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

if TYPE_CHECKING:
    pass

MAX_TEXT_CHARS = 20_000
"""The longest text one value may hold: more is a mistake in the file, and would freeze the screen showing it."""

STAGES = ("data", "model", "serving", "monitoring", "tradeoff")
"""The stages an interview rubric point can belong to."""

CLOZE_RE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)


_code_key: str | None = None


def code_version() -> str:
    """A digest of this package's code (and of pydantic's version): cached decks and the sync's
    fingerprint are void when it changes. pydantic's version is read from its file, not imported: a
    start from the cache never needs it."""
    global _code_key
    if _code_key is None:
        import importlib.util

        digest = hashlib.sha1()
        for source in sorted(Path(__file__).parent.glob("*.py")):
            digest.update(source.read_bytes())
        spec = importlib.util.find_spec("pydantic")
        if spec is not None and spec.origin:
            try:
                digest.update((Path(spec.origin).parent / "version.py").read_bytes())
            except OSError:
                digest.update(b"unknown pydantic")
        _code_key = digest.hexdigest()
    return _code_key


@dataclass(frozen=True, kw_only=True)
class _Card:
    """What every kind of card has. Cards are made from validated files (``quizapp.decks.schema``)
    and kept in the deck cache; plain dataclasses, so that a start from the cache needs no pydantic."""

    id: str
    """Stable identity of the card; progress is keyed by it, so never reuse or change it."""
    source: list[str]
    """The source document(s) the card's facts come from."""
    tags: list[str] = field(default_factory=list)
    """Topic tags the progress screens group by."""
    year: int | None = None
    """For a dated fact: the year it happened (quiz mode asks about it)."""
    event: str | None = None
    """For a dated fact: a short label of what happened, e.g. ``PyTorch 1.0 is released``."""
    notes: str = ""
    """What was checked to make the card true (and what a source claimed where it is wrong); not studied."""

    def model_dump(self, mode: str | None = None, exclude_defaults: bool = False) -> dict[str, Any]:
        """The card as plain data, as written in a deck file (with ``exclude_defaults``, only what
        differs from the defaults)."""
        data = asdict(self)
        if exclude_defaults:
            for f in fields(self):
                if f.default is not MISSING and data[f.name] == f.default:
                    del data[f.name]
                elif f.default_factory is not MISSING and data[f.name] == f.default_factory():
                    del data[f.name]
        return data

    def model_copy(self, update: dict[str, Any] | None = None) -> Any:
        return replace(self, **(update or {}))

    quizzable: ClassVar[bool] = True
    """Whether quiz mode asks about the card (a mock-interview prompt is answered at length instead)."""

    def variants(self) -> list[str]:
        """The card's review items: ``""`` for the card itself; a reverse side or cloze deletions
        add their own."""
        return [""]

    def ordinal(self, variant: str) -> int:
        """The place of one item among the card's items, counted from 0 as Anki counts a note's
        cards (a cloze deletion's is its number less one)."""
        return self.variants().index(variant)

    def front_spans(self, variant: str) -> list[tuple[str, str]]:
        """The question of one item as (text, style) pieces; style '' is plain, 'cloze' marks a
        hidden part."""
        raise NotImplementedError

    def back_spans(self, variant: str) -> list[tuple[str, str]]:
        """The answer of one item as (text, style) pieces."""
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class BasicCard(_Card):
    kind: Literal["basic"] = "basic"
    front: str
    back: str
    reverse: bool = False
    """Also study it back to front."""

    def variants(self) -> list[str]:
        return ["", "reverse"] if self.reverse else [""]

    def front_spans(self, variant: str) -> list[tuple[str, str]]:
        return [(self.back if variant == "reverse" else self.front, "")]

    def back_spans(self, variant: str) -> list[tuple[str, str]]:
        return [(self.front if variant == "reverse" else self.back, "")]


@dataclass(frozen=True, kw_only=True)
class ClozeCard(_Card):
    kind: Literal["cloze"]
    text: str
    """Text with deletions written ``{{c1::answer}}`` or ``{{c1::answer::hint}}``."""
    extra: str = ""
    """Shown under the answer."""

    def numbers(self) -> list[int]:
        return sorted({int(m.group(1)) for m in CLOZE_RE.finditer(self.text)})

    def variants(self) -> list[str]:
        return ["" if n == 1 else f"c{n}" for n in self.numbers()]

    @staticmethod
    def number_of(variant: str) -> int:
        """The deletion an item asks about: ``c2`` is deletion 2, the card itself deletion 1."""
        return int(variant[1:]) if variant.startswith("c") else 1

    def ordinal(self, variant: str) -> int:
        return self.number_of(variant) - 1

    def front_spans(self, variant: str) -> list[tuple[str, str]]:
        return _cloze_spans(self.text, self.number_of(variant), reveal=False)

    def back_spans(self, variant: str) -> list[tuple[str, str]]:
        spans = _cloze_spans(self.text, self.number_of(variant), reveal=True)
        if self.extra:
            spans.append(("\n\n" + self.extra, "dim"))
        return spans


@dataclass(frozen=True, kw_only=True)
class ChoiceCard(_Card):
    kind: Literal["choice"]
    question: str
    choices: list[str]
    answer: str
    """The right choice, written exactly as in ``choices``."""
    explanation: str = ""

    def front_spans(self, variant: str) -> list[tuple[str, str]]:
        lines = [self.question, ""] + [f"{i}. {choice}" for i, choice in enumerate(self.choices, 1)]
        return [("\n".join(lines), "")]

    def back_spans(self, variant: str) -> list[tuple[str, str]]:
        spans = [(self.answer, "answer")]
        if self.explanation:
            spans.append(("\n\n" + self.explanation, "dim"))
        return spans


@dataclass(frozen=True, kw_only=True)
class OrderCard(_Card):
    kind: Literal["order"]
    prompt: str
    items: list[str]
    """The items in their right order."""

    def front_spans(self, variant: str) -> list[tuple[str, str]]:
        return [("\n".join([self.prompt, ""] + [f"- {x}" for x in shuffled_items(self)]), "")]

    def back_spans(self, variant: str) -> list[tuple[str, str]]:
        return [("\n".join(f"{i}. {x}" for i, x in enumerate(self.items, 1)), "")]


@dataclass(frozen=True, kw_only=True)
class RubricPoint:
    point: str
    """What a good answer covers: one idea an interviewer would credit."""
    stage: str | None = None
    """data, model, serving, monitoring or tradeoff; None where no stage fits (a history prompt)."""
    evidence: list[str] = field(default_factory=list)
    """Cues that show the point in an answer: groups joined by ``+`` that must all appear in one
    sentence, each group alternatives joined by ``|`` (``shard|partition + optimizer state``)."""
    terms: list[str] = field(default_factory=list)
    """Older decks' key terms: each is read as a one-group cue when ``evidence`` is empty."""

    def cues(self) -> list[str]:
        """The cues the grader looks for."""
        return list(self.evidence) or list(self.terms)


@dataclass(frozen=True, kw_only=True)
class InterviewCard(_Card):
    kind: Literal["interview"]
    prompt: str
    model_answer: list[str]
    """The outline of a strong answer, one line per step."""
    rubric: list[RubricPoint]
    time_limit: int = 300
    """Seconds allowed for an answer."""

    quizzable: ClassVar[bool] = False

    def front_spans(self, variant: str) -> list[tuple[str, str]]:
        return [(self.prompt, "")]

    def back_spans(self, variant: str) -> list[tuple[str, str]]:
        return [("\n".join(f"- {line}" for line in self.model_answer), "")]


CARD_CLASSES = {"basic": BasicCard, "cloze": ClozeCard, "choice": ChoiceCard, "order": OrderCard, "interview": InterviewCard}


def validate_card(raw: Any) -> Any:
    """One card from plain data (as read from YAML or CSV), checked by the deck schema; raises
    pydantic's ``ValidationError``."""
    from quizapp.decks.schema import validate_card as validate

    return validate(raw)


KINDS = ("basic", "cloze", "choice", "order", "interview")


@dataclass(frozen=True)
class Item:
    """One schedulable thing: a card, or one direction or one deletion of it."""

    id: str
    card: Any
    deck_id: str
    variant: str = ""
    """'' for the card itself, 'reverse' for a reversed basic card, 'c2'... for further cloze deletions."""

    @property
    def kind(self) -> str:
        return self.card.kind

    @property
    def cloze_number(self) -> int:
        return ClozeCard.number_of(self.variant)

    def front_spans(self) -> list[tuple[str, str]]:
        """The question as (text, style) pieces; style '' is plain, 'cloze' marks a hidden part."""
        return self.card.front_spans(self.variant)

    def back_spans(self) -> list[tuple[str, str]]:
        """The answer as (text, style) pieces."""
        return self.card.back_spans(self.variant)


def shuffled_items(card: OrderCard) -> list[str]:
    """A fixed shuffle of an ordering card's items that is never the right order itself."""
    import random

    items = list(card.items)
    rng = random.Random(card.id)
    for _ in range(10):
        rng.shuffle(items)
        if items != list(card.items):
            break
    return items


def _cloze_spans(text: str, number: int, *, reveal: bool) -> list[tuple[str, str]]:
    spans: list[tuple[str, str]] = []
    pos = 0
    for m in CLOZE_RE.finditer(text):
        spans.append((text[pos : m.start()], ""))
        if int(m.group(1)) == number:
            if reveal:
                spans.append((m.group(2), "cloze"))
            else:
                spans.append((f"[{m.group(3) or '...'}]", "cloze"))
        else:
            spans.append((m.group(2), ""))
        pos = m.end()
    spans.append((text[pos:], ""))
    return [s for s in spans if s[0]]


def item_id(card_id: str, variant: str) -> str:
    """An item's id: the card's own for its first item, ``card::variant`` for the others, so that
    ids stay stable when a reverse side or deletions are added."""
    return f"{card_id}::{variant}" if variant else card_id


def card_items(card: Any, deck_id: str) -> list[Item]:
    """The schedulable items of a card."""
    return [Item(item_id(card.id, variant), card, deck_id, variant) for variant in card.variants()]


def card_item_ids(card: Any) -> list[str]:
    """The ids of a card's items (those ``card_items`` makes), without making the items."""
    return [item_id(card.id, variant) for variant in card.variants()]


class Deck:
    """One deck file's deck. Read from the cache, its cards are unpickled only when first used:
    start-up needs no more than the ids of its items (``item_keys``)."""

    def __init__(
        self,
        id: str,
        title: str,
        description: str,
        path: Path,
        cards: list[Any] | None = None,
        lines: dict[str, tuple[int, int]] | None = None,
        *,
        index: tuple[str, str, str] | None = None,
        load: Callable[[], tuple[list[Any], dict[str, tuple[int, int]]]] | None = None,
    ):
        self.id = id
        self.title = title
        self.description = description
        self.path = path
        self._cards = cards
        self._lines = lines if lines is not None else ({} if cards is not None else None)
        self._index = index
        """While the cards are not loaded: their ids, their items' ids and their items' kinds, each
        joined by line breaks (ids never hold one), in deck order; split only when asked for."""
        self._split: tuple[list[str], list[tuple[str, str]]] | None = None
        self._load = load
        self.digest = ""
        """SHA-1 of the file's bytes, when read from a file."""

    def _loaded(self) -> None:
        if self._cards is None:
            cards, lines = self._load()  # type: ignore[misc]
            self._cards, self._lines = cards, lines

    @property
    def cards(self) -> list[Any]:
        if self._cards is None:
            self._loaded()
        return self._cards  # type: ignore[return-value]

    @cards.setter
    def cards(self, cards: list[Any]) -> None:
        self._loaded()
        self._cards = cards
        self._index = self._split = None

    @property
    def lines(self) -> dict[str, tuple[int, int]]:
        """Where each card's id stands in the file, for messages."""
        if self._lines is None:
            self._loaded()
        return self._lines  # type: ignore[return-value]

    @property
    def loaded(self) -> bool:
        """Whether the cards themselves are in memory."""
        return self._cards is not None

    def _listed(self) -> tuple[list[str], list[tuple[str, str]]]:
        if self._split is None:
            card_ids, item_ids, kinds = self._index  # type: ignore[misc]
            self._split = (
                card_ids.split("\n") if card_ids else [],
                list(zip(item_ids.split("\n"), kinds.split("\n"))) if item_ids else [],
            )
        return self._split

    def card_ids(self) -> list[str]:
        if self._cards is None and self._index is not None:
            return self._listed()[0]
        return [card.id for card in self.cards]

    def item_keys(self) -> list[tuple[str, str]]:
        """(item id, kind) of every item in deck order, without loading the cards."""
        if self._cards is None and self._index is not None:
            return self._listed()[1]
        return [(item.id, item.kind) for item in self.items()]

    def item_count(self) -> int:
        if self._cards is None and self._index is not None:
            return self._index[2].count("\n") + 1 if self._index[1] else 0
        return len(self.item_keys())

    def items(self) -> Iterator[Item]:
        for card in self.cards:
            yield from card_items(card, self.id)

    def __repr__(self) -> str:
        return f"Deck({self.id!r}, {self.title!r}, path={str(self.path)!r})"


STAGE_TAGS = {**{stage: stage for stage in STAGES}, "tradeoffs": "tradeoff", "trade-off": "tradeoff", "trade-offs": "tradeoff"}
"""Card tags that name an interview stage rather than a topic, and the stage each names."""


@dataclass(frozen=True)
class TagGroups:
    """The cards' tags, grouped: cards share a handful of tag lists, each distinct list is a group."""

    of_item: dict[str, int]
    """Item id -> its group (items without topic or stage tags are left out)."""
    tags: list[tuple[int, str, str]]
    """(group, 'topic' or 'stage', tag) for every group."""


@dataclass
class DeckSet:
    """Every deck found, with the problems of the files that could not be read fully."""

    decks: list[Deck] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def items(self) -> list[Item]:
        return [item for deck in self.decks for item in deck.items()]

    def fingerprint(self) -> str:
        """Changes whenever the decks' items could have: any deck file's bytes, name, place or order,
        or the loader's code (``Store.sync_items`` skips a sync when it is as last time)."""
        digest = hashlib.sha1(code_version().encode())
        for deck in self.decks:
            digest.update(f"\n{deck.id}\t{deck.path}\t{deck.digest}\t{deck.item_count()}".encode())
            if not deck.digest:  # not read from a file: its items themselves stand for it
                digest.update(repr(deck.item_keys()).encode())
        return digest.hexdigest()

    @functools.cached_property
    def tag_groups(self) -> TagGroups:
        """The cards' topic and stage tags, grouped (worked out once: the deck set does not change
        once loaded, and going over every card costs more than the figures built on the groups)."""
        groups: dict[tuple[str, ...], int | None] = {}
        rows: list[tuple[int, str, str]] = []
        of_item: dict[str, int] = {}
        for deck in self.decks:
            for card in deck.cards:
                key = tuple(card.tags)
                if key not in groups:
                    topics = sorted({t for t in key if t not in STAGE_TAGS})
                    stages = sorted({STAGE_TAGS[t] for t in key if t in STAGE_TAGS})
                    grp = groups[key] = len(groups) if topics or stages else None
                    if grp is not None:
                        rows += [(grp, "topic", t) for t in topics] + [(grp, "stage", s) for s in stages]
                grp = groups[key]
                if grp is not None:
                    for item_id in card_item_ids(card):
                        # An id in two decks counts once, in the first (as the item map has it).
                        of_item.setdefault(item_id, grp)
        return TagGroups(of_item, rows)

    def item_map(self, deck_of: Callable[[str], str | None] | None = None) -> "ItemMap":
        """Every item by id (a read-only mapping that makes items as they are asked for); ``deck_of``
        tells which deck a card id is in, so that only that deck is indexed (see ``ItemMap``)."""
        return ItemMap(self, deck_of)

    def deck(self, deck_id: str) -> Deck | None:
        return next((d for d in self.decks if d.id == deck_id), None)

    def card(self, card_id: str) -> Any | None:
        return next((c for d in self.decks for c in d.cards if c.id == card_id), None)


class ItemMap(Mapping[str, Item]):
    """The items of a deck set by id, in deck order.

    Looking one item up makes only its card's items, and with ``deck_of`` (which deck a card id is
    in, e.g. from the progress database) only that deck's cards are indexed: a session that shows a
    few cards out of tens of thousands builds next to nothing at start-up. Iterating makes the rest.
    """

    def __init__(self, decks: DeckSet, deck_of: Callable[[str], str | None] | None = None):
        self._decks = {deck.id: deck for deck in decks.decks}
        self._deck_of = deck_of
        self._cards: dict[str, tuple[Any, str]] = {}
        """Card id -> (card, deck id), for the decks indexed so far."""
        self._indexed: set[str] = set()
        self._made: dict[str, Item] = {}
        self._complete = False

    def _index(self, decks: Iterable[Deck]) -> None:
        for deck in decks:
            if deck.id not in self._indexed:
                self._indexed.add(deck.id)
                for card in deck.cards:
                    self._cards.setdefault(card.id, (card, deck.id))

    def _card(self, card_id: str) -> tuple[Any, str] | None:
        found = self._cards.get(card_id)
        if found is None and len(self._indexed) < len(self._decks):
            deck = self._decks.get(self._deck_of(card_id)) if self._deck_of else None  # type: ignore[arg-type]
            if deck is not None and deck.id not in self._indexed:
                self._index([deck])
                found = self._cards.get(card_id)
            if found is None:  # not where deck_of said (or no deck_of): look everywhere
                self._index(self._decks.values())
                found = self._cards.get(card_id)
        return found

    def __getitem__(self, item_id: str) -> Item:
        item = self._made.get(item_id)
        if item is None and not self._complete and isinstance(item_id, str):
            # An item id is its card's id, or the card's id and '::' and the variant (ids never hold ':').
            found = self._card(item_id.split("::", 1)[0])
            if found is not None:
                for made in card_items(*found):
                    self._made.setdefault(made.id, made)
                item = self._made.get(item_id)
        if item is None:
            raise KeyError(item_id)
        return item

    def __contains__(self, item_id: object) -> bool:
        try:
            self[item_id]  # type: ignore[index]
        except KeyError:
            return False
        return True

    def _all(self) -> dict[str, Item]:
        if not self._complete:
            made = self._made
            self._made = {
                item.id: made.get(item.id, item)
                for deck in self._decks.values() for card in deck.cards for item in card_items(card, deck.id)
            }
            self._complete = True
        return self._made

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())
