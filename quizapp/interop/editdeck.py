"""Opening a card's deck file in the user's editor, at the card's line (the browser's ``e``).

A bundled deck is not edited where it is installed: it is first copied into the workspace's
``decks/``, where the copy takes the bundled file's place (the loader prefers a workspace file of the
same name). No Textual here.
"""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from quizapp.decks.models import Deck
from quizapp.interop import InteropError
from quizapp.workspace import Workspace

# Editors that take FILE:LINE rather than +LINE FILE, with the options that make them wait.
_COLON_EDITORS = {"code": ["--wait", "--goto"], "code-insiders": ["--wait", "--goto"], "codium": ["--wait", "--goto"],
                  "subl": ["--wait"], "zed": ["--wait"]}


@dataclass(frozen=True)
class EditTarget:
    """The file to edit and the line to start at."""

    path: Path
    line: int
    copied_from: Path | None = None
    """The bundled file it was copied from, when it was copied just now."""


def deck_file_for_editing(workspace: Workspace, deck: Deck, card_id: str | None) -> EditTarget:
    """The deck's file and the card's line; a file outside the workspace's ``decks/`` (a bundled deck)
    is copied there first, unless a copy is already there."""
    source = Path(deck.path)
    line = deck.lines.get(card_id, (1, 1))[0] if card_id else 1
    own = workspace.decks_dir.resolve()
    if source.resolve().parent == own:
        return EditTarget(source, line)
    target = own / source.name
    if target.exists():
        return EditTarget(target, line)
    try:
        own.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    except OSError as exc:
        raise InteropError(f"cannot copy {source} into {own}: {exc.strerror or exc}") from None
    return EditTarget(target, line, copied_from=source)


def editor_command(path: Path, line: int, environ: Mapping[str, str] | None = None) -> list[str]:
    """The command that opens ``path`` at ``line`` in ``$VISUAL``, else ``$EDITOR``, else ``vi``."""
    env: Mapping[str, str] = os.environ if environ is None else environ
    editor = env.get("VISUAL") or env.get("EDITOR") or "vi"
    words = shlex.split(editor)
    name = Path(words[0]).name if words else "vi"
    if name in _COLON_EDITORS:
        extra = [w for w in _COLON_EDITORS[name] if w not in words]
        return [*words, *extra, f"{path}:{line}"]
    return [*words, f"+{line}", str(path)]
