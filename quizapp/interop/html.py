"""Anki fields are HTML; our cards are plain text. Converting between the two, losslessly for text."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_BLOCK = {"div", "p", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol", "table"}
_SKIP = {"script", "style", "head", "title"}
_SOUND_RE = re.compile(r"\[sound:[^\]]*\]")


def text_to_html(text: str) -> str:
    """Plain text as an Anki field: special characters escaped, line breaks as ``<br>``."""
    return html.escape(text, quote=False).replace("\r\n", "\n").replace("\n", "<br>")


_VOID = {"br", "img", "hr", "input", "meta", "link", "wbr", "source", "area", "col", "embed", "param", "track"}
_HIDDEN_RE = re.compile(r"display\s*:\s*none", re.IGNORECASE)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PLAIN_TAG_RE = re.compile(r"</?(?:b|i|u|s|em|strong|span|font|small|big|strike|code|kbd|mark)>", re.IGNORECASE)
"""Tags without attributes that leave the text as it is."""
_LINE_END_RE = re.compile(r"[ \t]+\n")
_BLANKS_RE = re.compile(r"\n{3,}")
IMAGE_MARK_RE = re.compile(r"\[image: [^\]]*\]")
"""Where an image stood in converted text: ``[image: name.png]``."""


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.media = 0
        """Images, audio and video left out (quizapp shows text only)."""
        self.open: list[tuple[str, bool]] = []
        """Open elements, each with whether it started a hidden (skipped) part."""
        self.cells = 0
        """Cells seen in the current table row."""

    def _newline(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_starttag(self, tag: str, attrs) -> None:
        hidden = tag in _SKIP or tag == "rp" or any(
            name == "style" and value and _HIDDEN_RE.search(value) for name, value in attrs
        )
        if tag not in _VOID:
            self.open.append((tag, hidden))
        if hidden:
            self.skipping += 1
            return
        if self.skipping:
            return
        if tag == "br":
            self.parts.append("\n")
        elif tag == "img":
            self.media += 1
            src = next((v for k, v in attrs if k == "src" and v), "")
            self.parts.append(f"[image: {src}]" if src else "[image]")
        elif tag in ("audio", "video", "object", "embed"):
            self.media += 1
        elif tag in ("td", "th"):
            if self.cells:
                self.parts.append(" | ")
            self.cells += 1
        elif tag == "sup":
            self.parts.append("^")
        elif tag == "rt":
            self.parts.append("(")
        elif tag in _BLOCK:
            self._newline()
            if tag == "tr":
                self.cells = 0
            if tag == "li":
                self.parts.append("- ")

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "br":  # </br>, which browsers and Anki take as a line break
            if not self.skipping:
                self.parts.append("\n")
            return
        if not any(t == tag for t, _ in self.open):
            return
        while self.open:
            opened, hidden = self.open.pop()
            if hidden:
                self.skipping = max(0, self.skipping - 1)
            if opened == tag:
                break
        if self.skipping or hidden:
            return
        if tag == "rt":
            self.parts.append(")")
        elif tag in _BLOCK:
            self._newline()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(field: str) -> tuple[str, int]:
    """An Anki field as plain text, and how many images or sounds it referred to (which are dropped).

    Tags go, entities become characters, ``<br>`` and block elements become line breaks, table cells
    are separated by `` | ``, ``<sup>`` becomes ``^``, ruby readings go in brackets, hidden parts
    (``display:none``) and control characters are dropped, and an image leaves ``[image: name]``;
    the text itself, spaces included, stays as written.
    """
    field, sounds = _SOUND_RE.subn("", field)
    media = sounds
    pieces = _PLAIN_TAG_RE.split(field) if "<" in field else [field]
    if not any("<" in piece for piece in pieces):
        # Only tags that change no text (bold, italics, plain spans): what the parser would give,
        # entities read piece by piece between the tags as it reads them, without running it.
        field = "".join(html.unescape(piece) if "&" in piece else piece for piece in pieces)
    else:
        parser = _TextParser()
        parser.feed(field)
        parser.close()
        field = "".join(parser.parts)
        media += parser.media
    text = _CONTROL_RE.sub("", field.replace("\xa0", " "))
    if "\n" in text:
        text = _BLANKS_RE.sub("\n\n", _LINE_END_RE.sub("\n", text)).strip("\n")
    return text, media
