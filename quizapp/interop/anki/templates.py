"""Anki's card templates, rendered far enough to know what a card asks and what it answers.

A template is ``{{Field}}`` replacements with filters (``{{text:Field}}``, ``{{cloze:Text}}``,
``{{type:Back}}``...), ``{{#Field}}...{{/Field}}`` sections shown when the field is filled and
``{{^Field}}...{{/Field}}`` ones shown when it is empty; ``{{FrontSide}}`` in the answer repeats
the question. Anki makes a card from a template when its question uses at least one non-empty
field; the same rule here gives one card per template, as Anki does, whatever the note type is
called or however its fields are named (so a German "Vorderseite/Rückseite" type works as well).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_TAG_RE = re.compile(r"\{\{([#^/]?)([^{}]*?)\}\}")
_ANSWER_HR_RE = re.compile(r"<hr[^>]*id\s*=\s*[\"']?answer[\"']?[^>]*>", re.IGNORECASE)
FRONT_MARK = "\x00front\x00"
"""Stands for ``{{FrontSide}}`` in a rendered answer until the question part is cut off."""
_SPECIAL = {"Tags", "Type", "Deck", "Subdeck", "Card", "CardFlag", "CardID"}


@dataclass
class Rendered:
    html: str
    filled: int
    """How many replaced fields were not empty (Anki's rule for whether a card exists)."""
    cloze_fields: list[str]
    """Names of the fields used with the ``cloze:`` filter."""


def render(fmt: str, fields: dict[str, str], *, answer: bool = False, cloze_raw: bool = True) -> Rendered:
    """``fmt`` with the note's ``fields`` filled in. Cloze fields come in as written (their
    deletions still marked) and ``type:`` fields only on the answer side; media and scripts are
    left for the HTML-to-text step to drop."""
    out: list[str] = []
    filled = 0
    clozes: list[str] = []
    stack: list[tuple[str, bool]] = []
    showing = True
    for before, sigil, name, filters, field_name in _compiled(fmt):
        if showing:
            out.append(before)
        if sigil is None:  # the text after the last tag
            break
        if sigil in ("#", "^"):
            present = bool(fields.get(name, "").strip())
            stack.append((name, showing))
            showing = showing and (present if sigil == "#" else not present)
            continue
        if sigil == "/":
            # A close that does not match is ignored, as Anki renders what it can.
            while stack:
                opened, was = stack.pop()
                showing = was
                if opened == name:
                    break
            continue
        if not showing:
            continue
        if field_name == "FrontSide":
            out.append(FRONT_MARK if answer else "")
            continue
        if field_name in _SPECIAL and field_name not in fields:
            continue
        value = fields.get(field_name, "")
        if "cloze" in filters:
            clozes.append(field_name)
            if not cloze_raw:
                continue
        if "type" in filters and not answer:
            continue
        if "tts" in filters:
            continue
        if value.strip():
            filled += 1
        out.append(value)
    return Rendered("".join(out), filled, clozes)


@functools.lru_cache(maxsize=256)
def _compiled(fmt: str) -> tuple[tuple[str, str | None, str, tuple[str, ...], str], ...]:
    """A template as (text before the tag, sigil, name, filters, field name) per tag, and a last
    entry (text after, None, ...) : read once for all the notes that use it."""
    steps = []
    pos = 0
    for m in _TAG_RE.finditer(fmt):
        sigil, name = m.group(1), m.group(2).strip()
        *filters, field_name = [part.strip() for part in name.split(":")]
        steps.append((fmt[pos : m.start()], sigil, name, tuple(filters), field_name))
        pos = m.end()
    steps.append((fmt[pos:], None, "", (), ""))
    return tuple(steps)


def answer_part(html: str) -> str:
    """The part of a rendered answer that is not the question again: after ``<hr id=answer>``, else
    after where ``{{FrontSide}}`` stood, else all of it."""
    found = _ANSWER_HR_RE.search(html)
    if found:
        return html[found.end() :].replace(FRONT_MARK, "")
    if FRONT_MARK in html:
        return html.rsplit(FRONT_MARK, 1)[1]
    return html


# --------------------------------------------------------------------------- cloze deletions

_OPEN_RE = re.compile(r"\{\{c(\d+(?:\s*,\s*\d+)*)::")


@dataclass
class _Deletion:
    numbers: list[int]
    parts: list  # text and nested _Deletion pieces
    hint: str


def _parse(text: str, pos: int = 0, inner: bool = False) -> tuple[list, int, str | None]:
    """Pieces of ``text`` from ``pos``: plain text and deletions, nested ones inside their parents."""
    parts: list = []
    buf: list[str] = []
    while pos < len(text):
        opening = _OPEN_RE.match(text, pos)
        if opening:
            if buf:
                parts.append("".join(buf))
                buf = []
            body, pos, hint = _parse(text, opening.end(), inner=True)
            if hint is None:
                # Never closed: keep it as the text it is.
                parts.append(opening.group(0))
                parts.extend(body)
                continue
            numbers = [int(n) for n in opening.group(1).split(",")]
            parts.append(_Deletion(numbers, body, hint or ""))
            continue
        if inner and text.startswith("::", pos):
            end = text.find("}}", pos + 2)
            if end >= 0 and not _OPEN_RE.search(text, pos + 2, end):
                if buf:
                    parts.append("".join(buf))
                return parts, end + 2, text[pos + 2 : end]
        if inner and text.startswith("}}", pos):
            if buf:
                parts.append("".join(buf))
            return parts, pos + 2, ""
        buf.append(text[pos])
        pos += 1
    if buf:
        parts.append("".join(buf))
    return parts, pos, None


def cloze_numbers(text: str) -> list[int]:
    """The deletion numbers in ``text``, nested ones and ``{{c1,2::...}}`` included."""
    found: set[int] = set()

    def walk(parts: list) -> None:
        for part in parts:
            if isinstance(part, _Deletion):
                found.update(part.numbers)
                walk(part.parts)

    walk(_parse(text)[0])
    return sorted(n for n in found if n > 0)


def needs_flattening(text: str) -> bool:
    """Whether ``text`` has nested deletions or ones with several numbers, which a quizapp cloze
    (one level, one number a deletion) holds only one number at a time."""
    parsed = _parse(text)[0]

    def walk(parts: list, depth: int) -> bool:
        for part in parts:
            if isinstance(part, _Deletion) and (depth or len(part.numbers) > 1 or walk(part.parts, depth + 1)):
                return True
        return False

    return walk(parsed, 0)


def flatten(text: str, number: int) -> str:
    """``text`` as Anki's card for deletion ``number`` asks it: that deletion marked ``{{cN::...}}``
    (its nested deletions shown as text), every other deletion shown as text."""

    def show(parts: list, marked: bool) -> str:
        out = []
        for part in parts:
            if isinstance(part, _Deletion):
                inside = show(part.parts, marked or number in part.numbers)
                if number in part.numbers and not marked:
                    hint = f"::{part.hint}" if part.hint else ""
                    out.append(f"{{{{c{number}::{inside}{hint}}}}}")
                else:
                    out.append(inside)
            else:
                out.append(part)
        return "".join(out)

    return show(_parse(text)[0], False)
