"""Where decks are read from and where progress is kept."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

DB_NAME = "quizapp.db"
"""The progress database's file name inside ``progress/``."""


def bundled_decks() -> Path:
    """The decks shipped with quizapp: inside the wheel, or the checkout's ``decks/`` when run from source."""
    here = Path(__file__).resolve().parent
    packaged = here / "_bundled_decks"
    if packaged.is_dir():
        return packaged
    return here.parent / "decks"


def deck_cache_dir() -> Path:
    """Where parsed deck files are cached between runs: ``$QUIZAPP_CACHE_DIR``, else the per-user cache
    folder. Never inside a workspace, which holds decks and progress only."""
    env = os.environ.get("QUIZAPP_CACHE_DIR")
    return Path(env) if env else Path(platformdirs.user_cache_dir("quizapp", appauthor=False)) / "decks"


@dataclass(frozen=True)
class Workspace:
    """A folder holding ``decks/`` and ``progress/``."""

    home: Path
    """The workspace folder."""
    deck_dirs: tuple[Path, ...]
    """Folders whose ``*.yaml`` files are loaded, in order."""
    how: str
    """How the workspace was chosen, for ``quizapp where``."""

    @property
    def decks_dir(self) -> Path:
        """The workspace's own decks folder, where imports and new decks are written."""
        return self.home / "decks"

    @property
    def progress_dir(self) -> Path:
        return self.home / "progress"

    @property
    def db_path(self) -> Path:
        return self.progress_dir / DB_NAME

    @property
    def backups_dir(self) -> Path:
        return self.progress_dir / "backups"

    @classmethod
    def resolve(cls, home: str | os.PathLike | None = None, cwd: Path | None = None) -> "Workspace":
        """``home`` (``--home``), else ``$QUIZAPP_HOME``, else the current folder when it has ``decks/``,
        else the per-user data folder with the bundled decks."""
        cwd = cwd or Path.cwd()
        if home:
            return cls._named(Path(home).expanduser(), "--home")
        env = os.environ.get("QUIZAPP_HOME")
        if env:
            return cls._named(Path(env).expanduser(), "QUIZAPP_HOME")
        if (cwd / "decks").is_dir():
            return cls(cwd.resolve(), ((cwd / "decks").resolve(),), "the current folder has decks/")
        return cls._named(Path(platformdirs.user_data_dir("quizapp", appauthor=False)), "the per-user data folder")

    @classmethod
    def _named(cls, home: Path, how: str) -> "Workspace":
        home = home.resolve()
        own = home / "decks"
        bundled = bundled_decks().resolve()
        # The bundled decks are always studied; a workspace's own decks/ (imports, new decks) add to them.
        dirs = [bundled]
        if own.is_dir() and own.resolve() != bundled:
            dirs.append(own.resolve())
        return cls(home, tuple(dirs), how)
