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


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.media = 0
        """Images, audio and video left out (quizapp shows text only)."""

    def _newline(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in ("img", "audio", "video", "object", "embed"):
            self.media += 1
        elif tag in _BLOCK:
            self._newline()
            if tag == "li":
                self.parts.append("- ")

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK:
            self._newline()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(field: str) -> tuple[str, int]:
    """An Anki field as plain text, and how many images or sounds it referred to (which are dropped).

    Tags go, entities become characters, ``<br>`` and block elements become line breaks; the text
    itself, spaces included, stays as written.
    """
    field, sounds = _SOUND_RE.subn("", field)
    media = sounds
    if "<" in field or "&" in field:
        parser = _TextParser()
        parser.feed(field)
        parser.close()
        field = "".join(parser.parts)
        media += parser.media
    text = field.replace("\xa0", " ")
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip("\n")
    return text, media
