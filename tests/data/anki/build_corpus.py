"""Build quizapp's Anki test corpus with Anki's own engine (pip package `anki`).

Run:  /work/main/.venv/bin/python tests/data/anki/build_corpus.py

Every package here is written by Anki itself (collection, scheduler and
exporters of the `anki` wheel), so the files are what a user of that Anki
version would hand us.  See README.md for what each file exercises.

Determinism: Anki's Rust engine takes ids (notes, cards, decks, note types,
review log) and timestamps from the wall clock.  When libfaketime is installed
(Debian package `faketime`), the script re-runs itself under it with a frozen
clock that it moves by hand (FAKETIME_TIMESTAMP_FILE), so ids, review times
and due dates are the same on every run.  Without libfaketime it still works,
but ids and times come from the real clock.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import struct
import sys
import tempfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
FAKETIME_LIBS = [
    "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
    "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
    "/usr/local/lib/faketime/libfaketime.so.1",
]
T0 = dt.datetime(2025, 1, 6, 9, 0, 0)  # a Monday, UTC


def _reexec_under_faketime() -> None:
    if os.environ.get("QUIZAPP_CORPUS_FAKETIME"):
        return
    lib = next((p for p in FAKETIME_LIBS if os.path.exists(p)), None)
    if lib is None:
        print(
            "note: libfaketime not found; ids/timestamps follow the real clock",
            file=sys.stderr,
        )
        os.environ["TZ"] = "UTC"
        return
    stamp = Path(tempfile.mkdtemp(prefix="ankicorpus-clock-")) / "now"
    stamp.write_text(T0.strftime("%Y-%m-%d %H:%M:%S"))
    env = dict(os.environ)
    env.update(
        LD_PRELOAD=lib,
        FAKETIME_TIMESTAMP_FILE=str(stamp),
        FAKETIME_NO_CACHE="1",
        TZ="UTC",
        QUIZAPP_CORPUS_FAKETIME=str(stamp),
    )
    os.execve(sys.executable, [sys.executable, *sys.argv], env)


_reexec_under_faketime()

from anki._backend import RustBackend
from anki.collection import (
    Collection,
    ExportAnkiPackageOptions,
    NoteIdsLimit,
)
from anki.scheduler_pb2 import CardAnswer

CLOCK_FILE = os.environ.get("QUIZAPP_CORPUS_FAKETIME")
_now = T0


def set_clock(when: dt.datetime) -> None:
    """Move the (fake) clock.  No-op when running on the real clock."""
    global _now
    _now = when
    if CLOCK_FILE:
        Path(CLOCK_FILE).write_text(when.strftime("%Y-%m-%d %H:%M:%S"))


def advance(**kw) -> None:
    set_clock(_now + dt.timedelta(**kw))


# ---------------------------------------------------------------- media ----


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A tiny solid-colour PNG, written by hand (no Pillow needed)."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + tag
            + data
            + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


# ------------------------------------------------------------- helpers ----


class Builder:
    def __init__(self, path: Path, lang: str = "en"):
        self.col = Collection(str(path), backend=RustBackend(langs=[lang]))
        self.cases: dict[str, list[int]] = {}
        self._guid = 0

    def add(self, case: str, notetype: str, deck: str, fields, tags=(), guid=None):
        col = self.col
        nt = col.models.by_name(notetype)
        assert nt, f"no notetype {notetype!r}: {col.models.all_names()}"
        note = col.new_note(nt)
        if isinstance(fields, dict):
            for k, v in fields.items():
                note[k] = v
        else:
            for i, v in enumerate(fields):
                note.fields[i] = v
        note.tags = list(tags)
        self._guid += 1
        note.guid = guid or f"qz{case[:6]}{self._guid:04d}"
        col.add_note(note, col.decks.id(deck))
        self.cases.setdefault(case, []).append(note.id)
        return note

    def export_case(
        self, case: str, stem: str, *, sched_variants=False, legacy=True, text=True
    ) -> None:
        nids = self.cases[case]
        variants = [(False, False)]
        if legacy:
            variants.append((False, True))
        if sched_variants:
            variants += [(True, False), (True, True)]
        for with_sched, is_legacy in variants:
            name = (
                stem
                + (".sched" if with_sched else "")
                + (".legacy" if is_legacy else "")
                + ".apkg"
            )
            self.col.export_anki_package(
                out_path=str(HERE / name),
                options=ExportAnkiPackageOptions(
                    with_scheduling=with_sched,
                    with_deck_configs=with_sched,
                    with_media=True,
                    legacy=is_legacy,
                ),
                limit=NoteIdsLimit(nids),
            )
        if text:
            # "Notes in Plain Text" with every column Anki offers.
            self.col.export_note_csv(
                out_path=str(HERE / f"{stem}.txt"),
                limit=NoteIdsLimit(nids),
                with_html=True,
                with_tags=True,
                with_deck=True,
                with_notetype=True,
                with_guid=True,
            )


def answer(col: Collection, cid: int, rating: int, seconds: float = 6.0) -> None:
    """Answer a card the way Anki's reviewer does, at the fake clock's time."""
    card = col.get_card(cid)
    card.start_timer()
    card.timer_started -= seconds  # pretend the user took `seconds` to answer
    states = col._backend.get_scheduling_states(cid)
    col.sched.answer_card(
        col.sched.build_answer(card=card, states=states, rating=rating)
    )


AGAIN, HARD, GOOD, EASY = (
    CardAnswer.AGAIN,
    CardAnswer.HARD,
    CardAnswer.GOOD,
    CardAnswer.EASY,
)


# --------------------------------------------------------------- cases ----


def add_custom_notetypes(col: Collection) -> None:
    mm = col.models
    # Four fields, two templates that use different fields on each side.
    m = mm.new("Vocab (Word/Meaning)")
    for f in ("Word", "Meaning", "Example", "Frequency"):
        mm.add_field(m, mm.new_field(f))
    t = mm.new_template("Recognition")
    t["qfmt"] = "<div class=word>{{Word}}</div>"
    t["afmt"] = "{{FrontSide}}<hr id=answer>{{Meaning}}<br><i>{{Example}}</i>"
    mm.add_template(m, t)
    t = mm.new_template("Recall")
    t["qfmt"] = "{{Meaning}}"
    t["afmt"] = "{{FrontSide}}<hr id=answer>{{Word}}"
    mm.add_template(m, t)
    m["sortf"] = 0
    mm.add(m)

    # First field is a reference code that must never become a front.
    m = mm.new("Lecture (ref first)")
    for f in ("Ref", "Question", "Answer", "Source"):
        mm.add_field(m, mm.new_field(f))
    t = mm.new_template("Card 1")
    t["qfmt"] = "{{Question}}"
    t["afmt"] = (
        "{{FrontSide}}<hr id=answer>{{Answer}}<br><small>{{Source}} {{Ref}}</small>"
    )
    mm.add_template(m, t)
    mm.add(m)

    # A cloze note type with TWO cloze fields.
    m = mm.new("Cloze (two fields)")
    m["type"] = 1  # MODEL_CLOZE
    for f in ("Text", "Text 2", "Extra"):
        mm.add_field(m, mm.new_field(f))
    t = mm.new_template("Cloze")
    t["qfmt"] = "{{cloze:Text}}<br>{{cloze:Text 2}}"
    t["afmt"] = "{{cloze:Text}}<br>{{cloze:Text 2}}<br>{{Extra}}"
    mm.add_template(m, t)
    mm.add(m)


def build_main(work: Path) -> None:
    b = Builder(work / "main.anki2")
    col = b.col
    add_custom_notetypes(col)

    # basic
    for i, (q, a) in enumerate(
        [
            ("dog", "Hund"),
            ("cat", "Katze"),
            ("house", "Haus"),
            ("tree", "Baum"),
            ("water", "Wasser"),
        ]
    ):
        b.add("basic", "Basic", "Basic", [q, a], tags=["basic", f"n{i}"])

    # reversed / optional reversed / type in the answer
    for q, a in [("sun", "Sonne"), ("moon", "Mond"), ("star", "Stern")]:
        b.add("reversed", "Basic (and reversed card)", "Reversed", [q, a])
    for q, a, rev in [
        ("red", "rot", "y"),
        ("blue", "blau", ""),
        ("green", "grün", "yes"),
    ]:
        b.add(
            "optional_reversed",
            "Basic (optional reversed card)",
            "Optional reversed",
            {"Front": q, "Back": a, "Add Reverse": rev},
        )
    for q, a in [
        ("Capital of France?", "Paris"),
        ("2 + 2 = ?", "4"),
        ("Chemical symbol of gold?", "Au"),
    ]:
        b.add("type_answer", "Basic (type in the answer)", "Type answer", [q, a])

    # cloze
    cloze = [
        ("{{c1::Paris}} is the capital of {{c2::France}}.", "Europe"),
        (
            "The {{c1::mitochondria::organelle}} is the powerhouse of the {{c2::cell::unit}}.",
            "",
        ),
        ("{{c1::outer {{c2::inner}} text}}", "nested cloze: 2 cards"),
        ("{{c1::H}}{{c1::e}} and {{c3::Li}} (no c2)", "cards 1 and 3 only"),
        (
            "{{c1,2::shared}} one answer on two cards, {{c2::second}}",
            "multi-number cloze c1,2",
        ),
        ("Only {{c5::five}}", "single card with ord 4"),
    ]
    for text, extra in cloze:
        b.add("cloze", "Cloze", "Cloze", [text, extra])
    for f in [
        (
            "{{c1::Berlin}} is in Germany",
            "{{c2::Rome}} is in Italy",
            "two fields, c1 and c2",
        ),
        (
            "{{c1::one}} and {{c2::two}}",
            "{{c2::two again}} and {{c3::three}}",
            "c2 in both fields",
        ),
        ("no cloze here", "{{c1::only the second field}}", "cloze only in field 2"),
    ]:
        b.add("cloze_two_fields", "Cloze (two fields)", "Cloze two fields", list(f))

    # custom note types
    vocab = [
        ("Haus", "house", "Das Haus ist groß.", "120"),
        ("laufen", "to run", "Ich laufe schnell.", "845"),
        ("Fernweh", "", "Ich habe Fernweh.", "30112"),  # empty Meaning: no Recall card
    ]
    for row in vocab:
        b.add("custom", "Vocab (Word/Meaning)", "Custom", list(row), tags=["vocab"])
    for ref, q, a, src in [
        ("B1-CH01:6", "What does DNA stand for?", "Deoxyribonucleic acid", "Lecture 1"),
        (
            "B1-CH02:14",
            "Who proposed the double helix?",
            "Watson and Crick",
            "Lecture 2",
        ),
    ]:
        b.add("custom", "Lecture (ref first)", "Custom", [ref, q, a, src])

    # decks: nesting and names without Latin letters
    for deck, q, a in [
        ("Parent", "parent card", "in Parent"),
        ("Parent::Child", "child card", "in Child"),
        ("Parent::Child::Grandchild", "grandchild card 1", "in Grandchild"),
        ("Parent::Child::Grandchild", "grandchild card 2", "in Grandchild"),
        ("日本語::語彙", "猫", "ねこ / cat"),
        ("日本語::語彙", "犬", "いぬ / dog"),
        ("日本語", "日本", "にほん / Japan"),
        ("Русский", "собака", "dog"),
        ("Русский", "кошка", "cat"),
        ("العربية", "كلب", "dog"),
    ]:
        b.add("decks", "Basic", deck, [q, a])

    # HTML and awkward text
    col.media.write_data("qz_red.png", png(4, 4, (220, 30, 30)))
    col.media.write_data("qz_blue.png", png(4, 4, (30, 30, 220)))
    html = [
        (
            "Table",
            "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>",
        ),
        ("E = mc<sup>2</sup>, H<sub>2</sub>O", "superscript and subscript"),
        ("<ruby>漢<rt>かん</rt>字<rt>じ</rt></ruby>", "ruby: kanji"),
        ("line one</br>line two<br>line three<br/>four", "br variants"),
        ("<div>first block</div><div>second block</div>", "divs"),
        ('visible<span style="display:none">HIDDEN</span> text', "display:none span"),
        ('What colour? <img src="qz_red.png">', "red"),
        ('<img src="qz_blue.png">', "image-only front"),
        ("a&nbsp;b&nbsp;&nbsp;c &amp; d", "nbsp and amp"),
        ("bell\x08ring", "control char \\x08 in front"),
        ("the &lt;tensor&gt; type", "&lt;tensor&gt; as text, not a tag"),
        (
            '<b>bold</b> <i>italic</i> <u>under</u> <font color="#ff0000">red</font>',
            "inline formatting",
        ),
        ("[sound:qz_missing.mp3] audio reference", "missing media file"),
    ]
    for q, a in html:
        b.add("html", "Basic", "HTML", [q, a])
    # Anki 26 keeps \x08 when adding through the API; make sure the field really
    # holds the raw control character whatever the version does.
    nid = b.cases["html"][9]
    n = col.get_note(nid)
    if "\x08" not in n.fields[0]:
        col.db.execute(
            "update notes set flds=? where id=?",
            "bell\x08ring\x1fcontrol char \\x08 in front",
            nid,
        )

    # image occlusion (stock notetype in Anki >= 23.10)
    io_ok = hasattr(col, "add_image_occlusion_note")
    if io_ok:
        col.add_image_occlusion_notetype()
        io_nt = next(
            m
            for m in col.models.all()
            if m.get("originalStockKind") == 6 or m["name"] == "Image Occlusion"
        )
        img = work / "qz_io_diagram.png"
        img.write_bytes(png(40, 30, (240, 240, 200)))
        occl = (
            "{{c1::image-occlusion:rect:left=.1:top=.1:width=.3:height=.2:oi=1}}"
            "{{c2::image-occlusion:rect:left=.5:top=.5:width=.3:height=.3:oi=1}}"
            "{{c3::image-occlusion:ellipse:left=.2:top=.6:rx=.1:ry=.1:oi=1}}"
        )
        before = set(col.find_notes(""))
        col.decks.select(col.decks.id("Image occlusion"))
        col.set_config("curModel", io_nt["id"])
        col.add_image_occlusion_note(
            notetype_id=io_nt["id"],
            image_path=str(img),
            occlusions=occl,
            header="Parts of the diagram",
            back_extra="",
            tags=["io"],
        )
        new = sorted(set(col.find_notes("")) - before)
        # make sure it sits in its own deck and has a fixed guid
        did = col.decks.id("Image occlusion")
        col.set_deck(col.card_ids_of_note(new[0]), did)
        col.db.execute("update notes set guid='qzimageocc01' where id=?", new[0])
        b.cases["image_occlusion"] = new
        b.add(
            "image_occlusion",
            "Image Occlusion",
            "Image occlusion",
            {
                "Occlusion": "{{c1::image-occlusion:rect:left=.2:top=.2:width=.5:height=.5:oi=1}}",
                "Image": '<img src="qz_io_diagram.png">',
                "Header": "",
                "Back Extra": "no header: image-only",
            },
        )

    # review history
    history(b)

    # exports, one package per case
    cases = [
        "basic",
        "reversed",
        "optional_reversed",
        "type_answer",
        "cloze",
        "cloze_two_fields",
        "custom",
        "decks",
        "html",
    ]
    if io_ok:
        cases.append("image_occlusion")
    for case in cases:
        b.export_case(case, case)
    b.export_case("history", "history", sched_variants=True)
    # Notes in Plain Text without HTML (Anki strips tags, keeps text).
    col.export_note_csv(
        out_path=str(HERE / "html.plain.txt"),
        limit=NoteIdsLimit(b.cases["html"]),
        with_html=False,
        with_tags=True,
        with_deck=True,
        with_notetype=True,
        with_guid=False,
    )
    # Cards in Plain Text (question/answer as rendered), the other text export.
    col.export_card_csv(
        out_path=str(HERE / "cards_plain.txt"),
        limit=NoteIdsLimit(b.cases["reversed"] + b.cases["cloze"]),
        with_html=False,
    )
    # Whole collection, with scheduling and media, both colpkg flavours.
    # (export_collection_package closes the collection itself)
    col.export_collection_package(
        str(HERE / "all.legacy.colpkg"), include_media=True, legacy=True
    )
    col.reopen()
    col.export_collection_package(
        str(HERE / "all.colpkg"), include_media=True, legacy=False
    )
    col.reopen()
    col.close()


def history(b: Builder) -> None:
    col = b.col
    for i in range(1, 11):
        b.add("history", "Basic", "History", [f"history {i}", f"answer {i}"])
    b.add(
        "history",
        "Basic (and reversed card)",
        "History",
        ["sibling front", "sibling back"],
    )
    cid = {
        i + 1: col.card_ids_of_note(n)[0] for i, n in enumerate(b.cases["history"][:10])
    }
    sib = col.card_ids_of_note(b.cases["history"][10])

    day0 = T0.replace(hour=10)
    set_clock(day0)
    # learning: default steps 1m 10m, graduating 1d, easy 4d, relearn 10m
    answer(col, cid[1], GOOD)
    answer(col, cid[2], AGAIN)
    answer(col, cid[3], EASY)
    answer(col, cid[4], GOOD)
    answer(col, cid[5], GOOD)
    answer(col, cid[6], GOOD)
    answer(col, cid[8], GOOD)
    advance(minutes=1)
    answer(col, cid[2], HARD)
    advance(minutes=10)
    answer(col, cid[1], GOOD)
    answer(col, cid[2], GOOD)
    answer(col, cid[4], GOOD)
    answer(col, cid[5], GOOD)
    answer(col, cid[8], GOOD)
    advance(minutes=10)
    answer(col, cid[2], GOOD)  # graduates
    # card 6 stays in (intraday) learning; card 8 is forgotten (reset to new)
    col.sched.schedule_cards_as_new([cid[8]], restore_position=True, reset_counts=False)

    set_clock(day0 + dt.timedelta(days=1, minutes=5))
    answer(col, cid[1], GOOD)
    answer(col, cid[4], HARD)
    answer(col, cid[2], AGAIN)  # lapse -> relearning
    answer(col, cid[5], AGAIN)  # lapse, left in relearning
    advance(minutes=10)
    answer(col, cid[2], GOOD)  # relearned
    answer(col, sib[0], GOOD)

    set_clock(day0 + dt.timedelta(days=4, minutes=20))
    answer(col, cid[1], EASY)
    answer(col, cid[3], HARD)
    answer(col, cid[2], GOOD)
    col.sched.set_due_date([cid[3]], "10")  # manual reschedule: revlog type 4
    advance(minutes=3)

    col.sched.suspend_cards([cid[4], cid[7]])  # a review card and a new card
    col.sched.bury_cards([cid[9]], manual=True)  # user-buried (queue -3)
    col.sched.bury_cards([sib[1]], manual=False)  # sibling-buried (queue -2)
    col.set_user_flag_for_cards(1, [cid[1]])
    set_clock(day0 + dt.timedelta(days=4, minutes=40))


HANDMADE = {
    # Anki's file headers, pipe separator, global tags, a tags column.
    "handmade_headers.txt": (
        "#separator:Pipe\n#html:true\n#notetype:Basic\n#deck:Text import::Piped\n"
        "#tags:from-header\n#columns:Front|Back|Tags\n#tags column:3\n"
        "apple|Apfel|fruit food\n"
        "the &lt;tensor&gt; type|a <b>bold</b> answer|ml\n"
        '"quoted | pipe"|inside quotes|\n'
    ),
    # No header lines at all: Anki guesses the comma, Basic, the current deck.
    "handmade_noheader.csv": (
        "Paris,capital of France\n"
        '"Berlin, Germany","has a comma, quoted"\n'
        '"multi\nline",field with ""quotes"" inside\n'
    ),
    # html:false: <tensor> is text and Anki escapes it on import.
    "handmade_html_false.tsv": (
        "#separator:Tab\n#html:false\n#columns:Front\tBack\n"
        "<tensor>\tliteral angle brackets stay text\n"
        "a < b & c\tless-than and ampersand\n"
    ),
    # Note type, deck and GUID per row, as in Anki's own Notes in Plain Text.
    "handmade_columns.txt": (
        "#separator:Semicolon\n#html:true\n#notetype column:1\n#deck column:2\n"
        "#guid column:3\n#tags column:6\n"
        "Basic (and reversed card);Text import::Reversed;qzhand00001;front r;back r;rev\n"
        "Cloze;Text import::Cloze;qzhand00002;{{c1::a}} {{c2::b}};extra;cloze\n"
        "Basic;Русский;qzhand00003;слово;word;\n"
    ),
}


def write_handmade() -> None:
    for name, text in HANDMADE.items():
        (HERE / name).write_text(text, encoding="utf-8", newline="\n")


def main() -> None:
    for old in (
        list(HERE.glob("*.apkg"))
        + list(HERE.glob("*.colpkg"))
        + [p for p in HERE.glob("*.txt")]
        + list(HERE.glob("handmade_*"))
    ):
        old.unlink(missing_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ankicorpus-"))
    try:
        set_clock(T0)
        build_main(work)
        for lang, stem, deck in [
            ("de", "localized_de", "Deutsch::Wortschatz"),
            ("ja", "localized_ja", "日本語"),
        ]:
            set_clock(T0)
            b = Builder(work / f"{lang}.anki2", lang=lang)
            col = b.col
            by_kind = {}
            for nt in col.models.all():
                by_kind[nt.get("originalStockKind", 0)] = nt
            # originalStockKind: 1 basic, 2 basic+reversed, 3 optional reversed,
            # 4 type answer, 5 cloze (names follow the collection's language)
            print(
                f"  {lang}: "
                + ", ".join(
                    f"{k}={nt['name']} {[f['name'] for f in nt['flds']]}"
                    for k, nt in sorted(by_kind.items())
                )
            )
            rev = by_kind[2]
            b.add(stem, rev["name"], deck, ["Hund" if lang == "de" else "犬", "dog"])
            b.add(stem, rev["name"], deck, ["Katze" if lang == "de" else "猫", "cat"])
            b.add(
                stem,
                by_kind[1]["name"],
                deck,
                ["Baum" if lang == "de" else "木", "tree"],
            )
            if lang == "de":
                # the name older Anki versions gave this stock type in German
                old = col.models.copy(rev, add=False)
                old["name"] = "Einfach (mit umgekehrter Karte)"
                col.models.add(old)
                b.add(stem, old["name"], deck, ["Vogel", "bird"])
            opt = by_kind[3]
            b.add(
                stem,
                opt["name"],
                deck,
                ["Haus" if lang == "de" else "家", "house", "y"],
            )
            b.add(
                stem,
                by_kind[5]["name"],
                deck,
                [
                    "{{c1::Berlin}} ist die Hauptstadt von {{c2::Deutschland}}"
                    if lang == "de"
                    else "{{c1::東京}}は{{c2::日本}}の首都です",
                    "",
                ],
            )
            b.export_case(stem, stem)
            col.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if CLOCK_FILE:
            shutil.rmtree(Path(CLOCK_FILE).parent, ignore_errors=True)
    write_handmade()
    for p in HERE.iterdir():
        if p.is_file():
            p.chmod(0o644)  # Anki writes packages 0600
    total = sum(p.stat().st_size for p in HERE.iterdir() if p.is_file())
    print(f"corpus: {len(list(HERE.iterdir()))} files, {total / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
