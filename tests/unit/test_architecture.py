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


def test_the_cli_imports_textual_only_when_the_tui_opens():
    code = "import sys, quizapp.cli.main; print(any(m.startswith('textual') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False"
