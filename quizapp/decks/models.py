"""Deck files: the card models and the YAML loader that reports every problem as file:line:col.

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
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

from quizapp.errors import DeckError

MAX_DECK_BYTES = 5 * 1024 * 1024
"""Deck files larger than this are refused before parsing."""
IMPORTED_MARK = b"# Imported with `quizapp import`"
"""How a deck file written by an import starts. Such a file was checked card by card when it was
written, and a user's Anki collection can be far larger than a hand-written deck, so it may grow to
``MAX_IMPORTED_BYTES`` (an import of 100,000 notes is ~25 MB)."""
MAX_IMPORTED_BYTES = 256 * 1024 * 1024
MAX_TEXT_CHARS = 20_000
"""The longest text one value may hold: more is a mistake in the file, and would freeze the screen showing it."""

STAGES = ("data", "model", "serving", "monitoring", "tradeoff")
"""The stages an interview rubric point can belong to."""

CLOZE_RE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)


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


@dataclass(frozen=True, kw_only=True)
class BasicCard(_Card):
    kind: Literal["basic"] = "basic"
    front: str
    back: str
    reverse: bool = False
    """Also study it back to front."""


@dataclass(frozen=True, kw_only=True)
class ClozeCard(_Card):
    kind: Literal["cloze"]
    text: str
    """Text with deletions written ``{{c1::answer}}`` or ``{{c1::answer::hint}}``."""
    extra: str = ""
    """Shown under the answer."""

    def numbers(self) -> list[int]:
        return sorted({int(m.group(1)) for m in CLOZE_RE.finditer(self.text)})


@dataclass(frozen=True, kw_only=True)
class ChoiceCard(_Card):
    kind: Literal["choice"]
    question: str
    choices: list[str]
    answer: str
    """The right choice, written exactly as in ``choices``."""
    explanation: str = ""


@dataclass(frozen=True, kw_only=True)
class OrderCard(_Card):
    kind: Literal["order"]
    prompt: str
    items: list[str]
    """The items in their right order."""


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
        return int(self.variant[1:]) if self.variant.startswith("c") else 1

    def front_spans(self) -> list[tuple[str, str]]:
        """The question as (text, style) pieces; style '' is plain, 'cloze' marks a hidden part."""
        c = self.card
        if c.kind == "basic":
            return [(c.back if self.variant == "reverse" else c.front, "")]
        if c.kind == "cloze":
            return _cloze_spans(c.text, self.cloze_number, reveal=False)
        if c.kind == "choice":
            lines = [c.question, ""] + [f"{i}. {choice}" for i, choice in enumerate(c.choices, 1)]
            return [("\n".join(lines), "")]
        if c.kind == "order":
            shuffled = shuffled_items(c)
            return [("\n".join([c.prompt, ""] + [f"- {x}" for x in shuffled]), "")]
        return [(c.prompt, "")]

    def back_spans(self) -> list[tuple[str, str]]:
        """The answer as (text, style) pieces."""
        c = self.card
        if c.kind == "basic":
            return [(c.front if self.variant == "reverse" else c.back, "")]
        if c.kind == "cloze":
            spans = _cloze_spans(c.text, self.cloze_number, reveal=True)
            if c.extra:
                spans.append(("\n\n" + c.extra, "dim"))
            return spans
        if c.kind == "choice":
            spans = [(c.answer, "answer")]
            if c.explanation:
                spans.append(("\n\n" + c.explanation, "dim"))
            return spans
        if c.kind == "order":
            return [("\n".join(f"{i}. {x}" for i, x in enumerate(c.items, 1)), "")]
        return [("\n".join(f"- {line}" for line in c.model_answer), "")]


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


def card_items(card: Any, deck_id: str) -> list[Item]:
    """The schedulable items of a card, with ids that stay stable when deletions are added."""
    if card.kind == "basic" and card.reverse:
        return [Item(card.id, card, deck_id), Item(f"{card.id}::reverse", card, deck_id, "reverse")]
    if card.kind == "cloze":
        return [
            Item(card.id if n == 1 else f"{card.id}::c{n}", card, deck_id, "" if n == 1 else f"c{n}")
            for n in card.numbers()
        ]
    return [Item(card.id, card, deck_id)]


def card_item_ids(card: Any) -> list[str]:
    """The ids of a card's items (those ``card_items`` makes), without making the items."""
    if card.kind == "cloze":
        return [card.id if n == 1 else f"{card.id}::c{n}" for n in card.numbers()]
    if card.kind == "basic" and card.reverse:
        return [card.id, f"{card.id}::reverse"]
    return [card.id]


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
        digest = hashlib.sha1(DeckCache._code().encode())
        for deck in self.decks:
            digest.update(f"\n{deck.id}\t{deck.path}\t{deck.digest}\t{deck.item_count()}".encode())
            if not deck.digest:  # not read from a file: its items themselves stand for it
                digest.update(repr(deck.item_keys()).encode())
        return digest.hexdigest()

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


# --------------------------------------------------------------------------- YAML reading

_PLAIN_TAGS = {
    "tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "seq", "map")
}


@dataclass
class _Marks:
    """Where each value of the document stands, by its path of keys and indexes."""

    at: dict[tuple, tuple[int, int]] = field(default_factory=dict)

    def find(self, path: tuple) -> tuple[int, int]:
        while path and path not in self.at:
            path = path[:-1]
        return self.at.get(path, (1, 1))


class _Problem(Exception):
    def __init__(self, line: int, col: int, message: str, where: str = ""):
        self.line, self.col, self.message, self.where = line, col, message, where


def _to_python(node: yaml.Node, path: tuple, marks: _Marks, seen: set[int]) -> Any:
    import yaml  # read only when a file is parsed: a start from the cache never needs it

    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    if id(node) in seen:
        raise _Problem(line, col, "anchors and aliases (&name / *name) are not allowed in deck files", _path_text(path))
    seen.add(id(node))
    marks.at[path] = (line, col)
    if node.tag not in _PLAIN_TAGS:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise _Problem(line, col, f"the tag {tag} is not allowed in deck files", _path_text(path))
    if isinstance(node, yaml.ScalarNode):
        if len(node.value) > MAX_TEXT_CHARS:
            raise _Problem(
                line,
                col,
                f"this text is {len(node.value):,} characters long; a value holds at most {MAX_TEXT_CHARS:,}",
                _path_text(path),
            )
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(child, path + (i,), marks, seen) for i, child in enumerate(node.value)]
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise _Problem(key_node.start_mark.line + 1, key_node.start_mark.column + 1, "keys must be plain text", _path_text(path))
        key = key_node.value
        if key in result:
            raise _Problem(
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
                f"duplicate key '{key}'",
                _path_text(path + (key,)),
            )
        result[key] = _to_python(value_node, path + (key,), marks, seen)
        marks.at.setdefault(path + (key, "__key__"), (key_node.start_mark.line + 1, key_node.start_mark.column + 1))
    return result


def _path_text(path: Iterable) -> str:
    out = ""
    for part in path:
        if part == "__key__":
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _message(err: dict) -> str:
    msg = err["msg"]
    if err["type"] == "missing":
        return "field required"
    if err["type"] == "extra_forbidden":
        return "unknown field"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return msg[:1].lower() + msg[1:]


def _card_problems(errors: list[dict], prefix: tuple, marks: _Marks) -> list[tuple[int, int, str]]:
    out = []
    for err in errors:
        loc = tuple(err["loc"])
        if loc and loc[0] in KINDS:
            loc = loc[1:]
        loc = tuple(p for p in loc if not (isinstance(p, str) and p.startswith("function-")))
        full = prefix + loc
        if err["type"] == "extra_forbidden" and full + ("__key__",) in marks.at:
            line, col = marks.at[full + ("__key__",)]
        else:
            line, col = marks.find(full)
        out.append((line, col, f"{_path_text(full)}: {_message(err)}"))
    return out


def read_yaml(data: bytes, name: str) -> tuple[Any, _Marks]:
    """Parse deck YAML into plain Python values, every scalar a string, with the place of each."""
    import yaml

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DeckError(name, [f"{name}:{line}:{col} the file is not valid UTF-8 (byte 0x{data[exc.start]:02x})"])
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))
    except yaml.MarkedYAMLError as exc:
        raise DeckError(name, [f"{name}:{_yaml_problem(exc, text)}"])
    except yaml.YAMLError as exc:
        raise DeckError(name, [f"{name}:1:1 not valid YAML: {exc}"])
    if node is None:
        raise DeckError(name, [f"{name}:1:1 the file is empty; a deck needs id, title and cards"])
    marks = _Marks()
    try:
        return _to_python(node, (), marks, set()), marks
    except _Problem as p:
        where = f"{p.where}: " if p.where else ""
        raise DeckError(name, [f"{name}:{p.line}:{p.col} {where}{p.message}"])
    except RecursionError:
        raise DeckError(name, [f"{name}:1:1 the document is nested too deeply"])


def _yaml_problem(exc: yaml.MarkedYAMLError, text: str) -> str:
    """Say where a YAML syntax error is and what it is, in words a deck author can act on."""
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or "not valid YAML"
    if mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
        return f"{line}:{col} a tab character; YAML indents with spaces only"
    if exc.context and exc.context_mark is not None and "end of stream" in problem:
        c = exc.context_mark
        return f"{c.line + 1}:{c.column + 1} {exc.context} that is never closed (the file ends first)"
    if exc.context:
        problem = f"{problem} ({exc.context} at line {exc.context_mark.line + 1})" if exc.context_mark else problem
    return f"{line}:{col} {problem}"


def parse_deck(data: bytes, name: str, path: Path | None = None) -> tuple[Deck | None, list[str]]:
    """Validate one deck file's bytes.

    Returns the deck (with every valid card) and the problems found, each ``name:line:col where: what``.
    A file whose header is broken gives no deck; a bad card is reported and left out, the rest stay.
    """
    try:
        doc, marks = read_yaml(data, name)
    except DeckError as exc:
        return None, exc.problems
    if not isinstance(doc, dict):
        return None, [f"{name}:1:1 a deck file must be a mapping with id, title and cards"]
    from pydantic import ValidationError

    from quizapp.decks.schema import DeckHeaderSchema, validate_card

    problems: list[tuple[int, int, str]] = []
    try:
        header = DeckHeaderSchema.model_validate(doc)
    except ValidationError as exc:
        problems = _card_problems(exc.errors(), (), marks)
        return None, [f"{name}:{line}:{col} {msg}" for line, col, msg in sorted(problems)]
    cards = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(header.cards):
        prefix = ("cards", index)
        if isinstance(raw, dict) and "kind" not in raw:
            raw = {**raw, "kind": "basic"}
        try:
            card = validate_card(raw)
        except ValidationError as exc:
            problems.extend(_card_problems(exc.errors(), prefix, marks))
            continue
        if card.id in seen:
            line, col = marks.find(prefix + ("id",))
            problems.append((line, col, f"cards[{index}].id: duplicate id '{card.id}' (also cards[{seen[card.id]}])"))
            continue
        seen[card.id] = index
        cards.append(card)
    lines = {card.id: marks.find(("cards", seen[card.id], "id")) for card in cards}
    deck = Deck(header.id, header.title, header.description, path or Path(name), cards, lines)
    return deck, [f"{name}:{line}:{col} {msg}" for line, col, msg in sorted(problems)]


class DeckCache:
    """Parsed deck files kept on disk, so that a file that did not change is not parsed again at the
    next start (parsing and validating YAML costs far more than anything else at start-up).

    One entry per deck file, in the user's own cache folder (``workspace.deck_cache_dir()``), never
    in the workspace. An entry holds, one pickle after the other: its key (format, loader code, name,
    path), the file's identity (size, times, inode and the SHA-1 of its bytes), the deck's ids and
    problems, and last the cards themselves, which are read only when the deck is first used.

    A file whose size, modification and change times and inode are as recorded is not read again,
    as Python's own bytecode cache and git's index do; the change time cannot be set back by a
    program, so an edit always shows. An entry written within seconds of its file's last change
    is checked by content (the SHA-1) until a later start finds the file unchanged, because an edit
    in the same clock tick would leave the times as they were.
    """

    FORMAT = 3
    MAX_AGE_DAYS = 60
    """Entries not rewritten for this long are removed whenever another entry is written."""
    RACY_NS = 2_000_000_000
    """A file changed this close to the moment its entry was written is checked by content."""

    _code_key: str | None = None

    def __init__(self, folder: Path):
        self.folder = folder
        self.written = 0
        """Entries written by this instance for files parsed because they changed."""

    @staticmethod
    def _code() -> str:
        # Cached decks hold this package's cards, checked by its schema: a change to any of its files
        # (or to pydantic) drops them.
        # pydantic's version is read from its file, not imported: a start from the cache never needs it.
        if DeckCache._code_key is None:
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
            DeckCache._code_key = digest.hexdigest()
        return DeckCache._code_key

    def _entry(self, path: Path) -> Path:
        return self.folder / (hashlib.sha1(str(path.absolute()).encode()).hexdigest()[:32] + ".pickle")

    def _key(self, path: Path, name: str) -> tuple:
        return (self.FORMAT, self._code(), name, str(path))

    @staticmethod
    def _identity(st: os.stat_result) -> tuple[int, int, int, int]:
        return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)

    def get(self, path: Path, name: str, st: os.stat_result) -> tuple[tuple[Deck | None, list[str]] | None, bytes | None]:
        """The cached result for the file, if it is the one cached; and the file's bytes when they had
        to be read to tell (so that a miss does not read them twice)."""
        entry = self._entry(path)
        data: bytes | None = None
        try:
            with open(entry, "rb") as fh:
                key = pickle.load(fh)
                if key != self._key(path, name):
                    return None, None
                identity, sha1, trusted = pickle.load(fh)
                if not (trusted and identity == self._identity(st)):
                    data = path.read_bytes()
                    if hashlib.sha1(data).hexdigest() != sha1:
                        return None, data
                    self._refresh(entry, fh, key, st, sha1)
                head, problems = pickle.load(fh)
                offset = fh.tell()
        except Exception:  # missing, damaged or from other code: parse the file instead
            return None, data
        if head is None:
            return (None, problems), data
        deck_id, title, description, card_ids, item_ids, kinds = head
        index = (card_ids, item_ids, kinds)
        deck = Deck(
            deck_id, title, description, path, index=index,
            load=lambda: self._cards(entry, key, sha1, offset, path, name),
        )
        deck.digest = sha1
        return (deck, problems), data

    def _refresh(self, entry: Path, fh, key: tuple, st: os.stat_result, sha1: str) -> None:
        # The bytes are as cached but the file's identity is new (touched, copied, checked out) or
        # was too recent to trust: record it, so that the next start need not read the file.
        at = fh.tell()
        rest = fh.read()
        fh.seek(at)
        self._write(entry, [key, (self._identity(st), sha1, self._trusted(st))], rest, parsed=False)

    def _cards(self, entry: Path, key: tuple, sha1: str, offset: int, path: Path, name: str):
        collecting = gc.isenabled()
        gc.disable()
        try:
            with open(entry, "rb") as fh:
                if pickle.load(fh) == key and pickle.load(fh)[1] == sha1:
                    fh.seek(offset)
                    return pickle.load(fh)
        except Exception:
            pass
        finally:
            if collecting:
                gc.enable()
        # The entry changed or went away since the deck was listed: read the file itself.
        deck, _ = parse_deck(path.read_bytes(), name, path)
        return (deck.cards, deck.lines) if deck else ([], {})

    def _trusted(self, st: os.stat_result) -> bool:
        return max(st.st_mtime_ns, st.st_ctime_ns) < time.time_ns() - self.RACY_NS

    def put(self, path: Path, name: str, st: os.stat_result, sha1: str, result: tuple[Deck | None, list[str]]) -> None:
        deck, problems = result
        if deck is None:
            head, payload = None, ([], {})
        else:
            # Ids never hold a line break: joined, they unpickle many times faster than lists.
            keys = deck.item_keys()
            head = (deck.id, deck.title, deck.description, "\n".join(deck.card_ids()),
                    "\n".join(k[0] for k in keys), "\n".join(k[1] for k in keys))
            payload = (deck.cards, deck.lines)
        tail = pickle.dumps((head, problems), protocol=pickle.HIGHEST_PROTOCOL)
        tail += pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        ident = (self._identity(st), sha1, self._trusted(st))
        self._write(self._entry(path), [self._key(path, name), ident], tail)

    def _write(self, entry: Path, first: list, tail: bytes, parsed: bool = True) -> None:
        temporary = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            with open(temporary, "wb") as fh:
                for obj in first:
                    pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
                fh.write(tail)
            os.replace(temporary, entry)
            self.written += parsed
        except Exception:  # a cache that cannot be written only costs time
            try:
                temporary.unlink(missing_ok=True)
            except OSError:
                pass

    def _crosscheck_entry(self, folders: list[Path]) -> Path:
        joined = "\n".join(str(folder.absolute()) for folder in folders)
        return self.folder / ("folders-" + hashlib.sha1(joined.encode()).hexdigest()[:32] + ".pickle")

    def get_crosscheck(self, folders: list[Path], key: Any) -> Any:
        """What ``_crosscheck`` found for exactly these files, if it was kept."""
        try:
            with open(self._crosscheck_entry(folders), "rb") as fh:
                if pickle.load(fh) == key:
                    return pickle.load(fh)
        except Exception:
            pass
        return None

    def put_crosscheck(self, folders: list[Path], key: Any, outcome: Any) -> None:
        self._write(self._crosscheck_entry(folders), [key], pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL),
                    parsed=False)

    def prune(self) -> None:
        """Remove entries not rewritten for ``MAX_AGE_DAYS`` (deck files that moved or went away)."""
        oldest = time.time() - self.MAX_AGE_DAYS * 86400
        try:
            for entry in self.folder.glob("*.pickle"):
                if entry.stat().st_mtime < oldest:
                    entry.unlink(missing_ok=True)
        except OSError:
            pass


def _imported(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(len(IMPORTED_MARK)) == IMPORTED_MARK


def load_deck_file(
    path: Path, name: str | None = None, root: Path | None = None, cache: DeckCache | None = None
) -> tuple[Deck | None, list[str]]:
    """Read and validate one file, refusing links that lead outside ``root`` and oversized files.
    With ``cache``, a file read before and unchanged since is not parsed again."""
    name = name or str(path)
    try:
        if root is not None and path.is_symlink():
            target = path.resolve()
            if not target.is_relative_to(root.resolve()):
                return None, [f"{name}:1:1 a link to a file outside the decks folder ({target}) is not followed"]
        st = path.stat()
        if st.st_size > MAX_DECK_BYTES and not (st.st_size <= MAX_IMPORTED_BYTES and _imported(path)):
            return None, [
                f"{name}:1:1 the file is {st.st_size / 1e6:.1f} MB; deck files are limited to {MAX_DECK_BYTES // 2**20} MB"
            ]
        if cache is not None:
            found, data = cache.get(path, name, st)
            if found is not None:
                return found
        else:
            data = None
        if data is None:
            data = path.read_bytes()
    except OSError as exc:
        return None, [f"{name}:1:1 cannot read the file: {exc.strerror or exc}"]
    found = parse_deck(data, name, path)
    sha1 = hashlib.sha1(data).hexdigest()
    if found[0] is not None:
        found[0].digest = sha1
    if cache is not None:
        cache.put(path, name, st, sha1, found)
    return found


def deck_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.y*ml") if p.suffix in (".yaml", ".yml"))


def load_decks(folders: Iterable[Path], base: Path | None = None, cache: DeckCache | None = None) -> DeckSet:
    """Load every deck file in ``folders``; a bad file or card never stops the others loading.

    Ids must be unique across all decks: a card whose id another file already used is reported and
    left out, as is a second deck with the same deck id. ``cache`` keeps parsed files between runs.
    """
    # Loading makes many objects that all stay: the cycle collector would walk them again and again
    # for nothing (a second or more with 100,000 cards).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load_decks(folders, base, cache)
    finally:
        if collecting:
            gc.enable()


def _load_decks(folders: Iterable[Path], base: Path | None, cache: DeckCache | None) -> DeckSet:
    folders = list(folders)
    files: list[tuple[str, Deck | None, list[str]]] = []
    for folder in folders:
        parent = _display_parent(folder, base)
        for path in deck_files(folder):
            name = str(parent / path.name) if parent is not None else str(path)
            deck, problems = load_deck_file(path, name, root=folder, cache=cache)
            files.append((name, deck, problems))
    # Which decks and cards are left out because another file already used their ids depends only on
    # the files: worked out once for the same files, and kept in the cache like the files themselves.
    key = (DeckCache.FORMAT, DeckCache._code(), [(name, deck.id, deck.digest) if deck else name for name, deck, _ in files])
    outcome = cache.get_crosscheck(folders, key) if cache is not None else None
    if outcome is None:
        outcome = _crosscheck(files)
        if cache is not None:
            cache.put_crosscheck(folders, key, outcome)
    result = DeckSet()
    for (name, deck, problems), (skip, dropped, messages) in zip(files, outcome):
        result.problems.extend(problems)
        result.problems.extend(messages)
        if deck is None or skip:
            continue
        if dropped:
            gone = set(dropped)
            deck.cards = [card for card in deck.cards if card.id not in gone]
        result.decks.append(deck)
    if cache is not None and cache.written:
        cache.prune()
    return result


def _crosscheck(files: list[tuple[str, Deck | None, list[str]]]) -> list[tuple[bool, list[str], list[str]]]:
    """For each file: whether its deck is left out (its deck id is taken), the ids of its cards left
    out (taken by an earlier file), and the messages saying so."""
    outcome: list[tuple[bool, list[str], list[str]]] = []
    seen: set[str] = set()
    """Every card id so far."""
    owners: list[tuple[Deck, str]] = []
    """Decks whose ids are not yet in ``card_owner`` (made only when an id turns up twice)."""
    card_owner: dict[str, str] = {}
    deck_owner: dict[str, str] = {}
    for name, deck, _ in files:
        if deck is None:
            outcome.append((False, [], []))
            continue
        if deck.id in deck_owner:
            outcome.append((True, [], [f"{name}:1:1 id: deck id '{deck.id}' is already used by {deck_owner[deck.id]}"]))
            continue
        deck_owner[deck.id] = name
        ids = deck.card_ids()
        before = len(seen)
        seen.update(ids)
        if len(seen) == before + len(ids):  # no id used before: the usual case, checked in bulk
            owners.append((deck, name))
            outcome.append((False, [], []))
            continue
        _owners(owners, card_owner)
        owners = []
        dropped, messages = [], []
        for card_id in ids:
            if card_id in card_owner:
                line, col = deck.lines.get(card_id, (1, 1))
                messages.append(
                    f"{name}:{line}:{col} id: card id '{card_id}' is already used in {card_owner[card_id]}; "
                    "this card is left out"
                )
                dropped.append(card_id)
            else:
                card_owner[card_id] = name
        outcome.append((False, dropped, messages))
    return outcome


def _owners(decks: list[tuple[Deck, str]], owner: dict[str, str] | None = None) -> dict[str, str]:
    owner = {} if owner is None else owner
    for deck, name in decks:
        owner.update(dict.fromkeys(deck.card_ids(), name))
    return owner


def _display_parent(folder: Path, base: Path | None) -> Path | None:
    """How the files of ``folder`` are named in messages: relative to ``base``, else to the current
    folder; None to name them as given."""
    # The folder resolved, not the files: a link is named as itself, not as what it points to.
    resolved = folder.resolve()
    for root in (base, Path.cwd()):
        if root is None:
            continue
        try:
            return resolved.relative_to(root.resolve())
        except ValueError:
            continue
    return None
