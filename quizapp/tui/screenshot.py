"""Where a screenshot goes (Textual's default, ~/Downloads, may not exist)."""

from __future__ import annotations

import os
from pathlib import Path


def screenshot_folder(workspace_home: Path) -> Path:
    """~/Downloads when it is a writable folder, else the workspace's folder, else the current one."""
    for folder in (Path.home() / "Downloads", workspace_home, Path.cwd()):
        if folder.is_dir() and os.access(folder, os.W_OK):
            return folder
    return Path.cwd()
