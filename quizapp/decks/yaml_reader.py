"""Reading a deck file's YAML safely, strings kept as written, and reporting every problem as
``file:line:col field: message``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quizapp.errors import DeckError

if TYPE_CHECKING:
    import yaml
from quizapp.decks.models import KINDS, MAX_TEXT_CHARS, Deck

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


def _message(err: Mapping[str, Any]) -> str:
    msg = err["msg"]
    if err["type"] == "missing":
        return "field required"
    if err["type"] == "extra_forbidden":
        return "unknown field"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return msg[:1].lower() + msg[1:]


def _card_problems(errors: Sequence[Mapping[str, Any]], prefix: tuple, marks: _Marks) -> list[tuple[int, int, str]]:
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


def _read_written(data: bytes) -> tuple[Any, _Marks] | None:
    """A deck file an import wrote, read by the fast reader of quizapp's own YAML (None when it is
    not of that subset, or not written by an import)."""
    from quizapp.decks.emitted_yaml import IMPORTED_MARK, read_emitted

    if not data.startswith(IMPORTED_MARK):
        return None
    try:
        found = read_emitted(data.decode("utf-8"))
    except UnicodeDecodeError:
        return None
    if found is None:
        return None
    doc, card_ids = found
    return doc, _Marks({("cards", index, "id"): at for index, at in card_ids.items()})


def parse_deck(data: bytes, name: str, path: Path | None = None, fast: bool = True) -> tuple[Deck | None, list[str]]:
    """Validate one deck file's bytes.

    Returns the deck (with every valid card) and the problems found, each ``name:line:col where: what``.
    A file whose header is broken gives no deck; a bad card is reported and left out, the rest stay.
    A file an import wrote is read by the fast reader of quizapp's own YAML when it can be; if it
    has any problem, it is read again by PyYAML, which says where each one is. ``fast=False`` reads
    with PyYAML only.
    """
    written = _read_written(data) if fast else None
    if written is not None:
        doc, marks = written
    else:
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
        if written is not None:
            return parse_deck(data, name, path, fast=False)
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
    if problems and written is not None:
        return parse_deck(data, name, path, fast=False)
    lines = {card.id: marks.find(("cards", seen[card.id], "id")) for card in cards}
    deck = Deck(header.id, header.title, header.description, path or Path(name), cards, lines)
    return deck, [f"{name}:{line}:{col} {msg}" for line, col, msg in sorted(problems)]
