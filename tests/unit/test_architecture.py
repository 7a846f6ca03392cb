"""The core stays free of Textual, so the CLI, benchmarks and tests can use it without a UI."""

import subprocess
import sys
from pathlib import Path

import quizapp

PACKAGE = Path(quizapp.__file__).parent


def core_modules() -> list[str]:
    names = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = rel.parts
        if parts[1] == "tui" or parts[1].startswith("cli") or parts[1] == "__main__":
            continue
        names.append(".".join(p for p in parts if p != "__init__"))
    return sorted(names)


def test_core_modules_import_no_textual():
    modules = core_modules()
    assert "quizapp.db.store" in modules and "quizapp.decks.models" in modules
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        + "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_the_cli_imports_textual_only_when_the_tui_opens(tmp_path):
    """Every module of the command line loads, and a command that opens no TUI runs, without Textual."""
    code = (
        "import importlib, pkgutil, sys\n"
        "import quizapp.cli\n"
        "for found in pkgutil.iter_modules(quizapp.cli.__path__):\n"
        "    importlib.import_module('quizapp.cli.' + found.name)\n"
        "from quizapp.cli.main import main\n"
        "assert main(['--home', sys.argv[1], 'where']) == 0\n"
        "print(any(m == 'textual' or m.startswith('textual.') for m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"
