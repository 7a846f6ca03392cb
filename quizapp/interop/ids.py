"""Card ids for cards that come from elsewhere, and Anki note GUIDs for ours, both ways.

Our cards go to Anki with the GUID ``quizapp:<card id>``; an Anki note comes back with the id
``anki-<its GUID's UTF-8 bytes in hex>``. Each rule undoes the other, so a card keeps one identity
however often it travels: exporting twice does not duplicate notes in Anki, importing twice
updates the same cards, and an Anki note imported and exported again keeps its Anki GUID.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

OWN_GUID_PREFIX = "quizapp:"
"""Starts the GUID of every note exported from one of our cards."""
ANKI_ID_PREFIX = "anki-"
"""Starts the id of every card imported from an Anki note."""

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_ID_MAX = 120
_HEX_RE = re.compile(r"^(?:[0-9a-f]{2})+$")


def is_card_id(text: str) -> bool:
    """Whether ``text`` is a valid card id (the pattern and length the deck format allows)."""
    return bool(_ID_RE.match(text)) and len(text) <= _ID_MAX


def guid_for_card(card_id: str) -> str:
    """The Anki note GUID a card is exported with; the inverse of ``card_id_for_guid``."""
    rest = card_id[len(ANKI_ID_PREFIX) :] if card_id.startswith(ANKI_ID_PREFIX) else ""
    if _HEX_RE.match(rest):
        try:
            return bytes.fromhex(rest).decode("utf-8")
        except UnicodeDecodeError:
            pass
    return OWN_GUID_PREFIX + card_id


def card_id_for_guid(guid: str) -> str:
    """The card id an Anki note with ``guid`` is imported as: the same GUID always gives the same id."""
    if guid.startswith(OWN_GUID_PREFIX) and is_card_id(guid[len(OWN_GUID_PREFIX) :]):
        return guid[len(OWN_GUID_PREFIX) :]
    raw = guid.encode("utf-8")
    if len(ANKI_ID_PREFIX) + 2 * len(raw) <= _ID_MAX:
        return ANKI_ID_PREFIX + raw.hex()
    # Too long to spell out; 'h' never occurs in hex, so these ids cannot meet the ones above.
    return ANKI_ID_PREFIX + "h" + hashlib.sha256(raw).hexdigest()[:40]


def card_id_for_text(deck_id: str, text: str) -> str:
    """An id for a card given without one, taken from its question, so importing the same row again
    updates that card rather than adding a copy."""
    digest = hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:12]
    return f"{deck_id[: _ID_MAX - 13]}-{digest}"


def slug(name: str, fallback: str = "imported") -> str:
    """A deck id made from a name: lower-case ASCII letters, digits and dashes."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    if not text and any(ch.isalnum() for ch in name):
        # A name without Latin letters (日本語, Русский) keeps an id of its own, spelt in Punycode as
        # domain names are, rather than all such decks sharing the fallback.
        words = "-".join(w for w in re.split(r"\W+", name.lower()) if w)
        text = "xn-" + re.sub(r"[^a-z0-9]+", "-", words.encode("punycode").decode("ascii")).strip("-")[:56]
    return text or fallback
