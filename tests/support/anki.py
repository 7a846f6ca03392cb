"""Anki's own engine in tests: the corpus of packages it made, a fresh collection, and importing
into it as Anki desktop does."""

from __future__ import annotations

from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "data" / "anki"
"""Packages and text files made with Anki's engine, and what Anki holds after importing each."""


@pytest.fixture
def collection(tmp_path):
    """An empty Anki collection, closed after the test."""
    from anki.collection import Collection

    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki" / "collection.anki2"))
    yield col
    col.close()


def anki_import(col, package: Path):
    """Import ``package`` into ``col`` with its scheduling, as Anki desktop does; returns Anki's log."""
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    request = ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions(with_scheduling=True))
    return col.import_anki_package(request).log


def anki_export(col, package: Path, with_scheduling: bool = False) -> Path:
    """Export all of ``col`` as a package in Anki's current format, as Anki desktop does."""
    from anki.collection import ExportAnkiPackageOptions

    options = ExportAnkiPackageOptions(with_scheduling=with_scheduling, with_media=False, legacy=False)
    col.export_anki_package(out_path=str(package), options=options, limit=None)
    return package
