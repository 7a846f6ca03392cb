"""How well the grader's pre-ticks agree with a fair interviewer, over the labelled answers.

    .venv/bin/python -m bench grading [--detector substring] [--json] [--show-misses]

The labelled set (``tests/data/grading/answers.yaml``) holds typed answers to the shipped interview
prompts, each labelled with the rubric points a fair interviewer would credit. Every (answer, point)
pair is a decision: precision and recall are over those pairs, overall and per kind of answer
(strong, other-words, partial, buzzword, wrong). The false-tick rate is the share of the points a
buzzword or wrong answer does not earn that the grader pre-ticks anyway.

``--detector substring`` grades with the earlier key-term matching (every word of the cues looked
for as a substring of the answer), to compare against.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from quizapp.decks.loader import load_decks
from quizapp.modes.grading import detect

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = ROOT / "tests" / "data" / "grading" / "answers.yaml"
KINDS = ("strong", "other-words", "partial", "buzzword", "wrong")
TARGETS = {"f1": 0.85, "false_tick_rate": 0.10, "other_words_recall": 0.70}


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, predicted: bool, wanted: bool) -> None:
        if predicted and wanted:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif wanted:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def false_tick_rate(self) -> float:
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0


@dataclass
class Result:
    answers: int = 0
    prompts: int = 0
    overall: Counts = field(default_factory=Counts)
    by_kind: dict[str, Counts] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    @property
    def false_tick_rate(self) -> float:
        both = Counts()
        for kind in ("buzzword", "wrong"):
            c = self.by_kind.get(kind, Counts())
            both.fp += c.fp
            both.tn += c.tn
        return both.false_tick_rate

    @property
    def other_words_recall(self) -> float:
        return self.by_kind.get("other-words", Counts()).recall

    def figures(self) -> dict:
        return {
            "answers": self.answers,
            "prompts": self.prompts,
            "precision": self.overall.precision,
            "recall": self.overall.recall,
            "f1": self.overall.f1,
            "false_tick_rate": self.false_tick_rate,
            "other_words_recall": self.other_words_recall,
            "by_kind": {k: {"precision": c.precision, "recall": c.recall, "f1": c.f1, **asdict(c)} for k, c in self.by_kind.items()},
        }


def substring_detect(rubric, answer: str, prompt: str = "") -> list[bool]:
    """The earlier detector: a point is found when any word of its cues starts a word of the answer."""

    def pattern(term: str) -> re.Pattern:
        words = [w for w in re.split(r"[\s\-_]+", term.strip().lower()) if w]
        body = r"[\s\-_]*".join(re.escape(w) for w in words)
        return re.compile(r"(?<!\w)" + body, re.IGNORECASE)

    out = []
    for point in rubric:
        terms = [alt for cue in point.cues() for group in cue.split("+") for alt in group.split("|") if alt.strip()]
        out.append(any(pattern(t).search(answer) for t in terms))
    return out


def load_answers(path: Path = ANSWERS) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def evaluate(entries: list[dict] | None = None, detector=detect) -> Result:
    """Grade every labelled answer and count agreements with its labels."""
    entries = load_answers() if entries is None else entries
    decks = load_decks([ROOT / "decks"], base=ROOT)
    cards = {c.id: c for d in decks.decks for c in d.cards if c.kind == "interview"}
    result = Result(answers=len(entries), prompts=len({e["card"] for e in entries}))
    for n, entry in enumerate(entries, 1):
        card = cards.get(entry["card"])
        if card is None:
            raise SystemExit(f"{ANSWERS.name}: answer {n}: no interview card {entry['card']!r} in the shipped decks")
        kind = entry["kind"]
        earned = set(entry.get("earns") or [])
        if not earned <= set(range(1, len(card.rubric) + 1)):
            raise SystemExit(f"{ANSWERS.name}: answer {n}: earns {sorted(earned)} but {card.id} has {len(card.rubric)} points")
        predicted = detector(card.rubric, entry["answer"], card.prompt)
        counts = result.by_kind.setdefault(kind, Counts())
        for i, found in enumerate(predicted, 1):
            wanted = i in earned
            counts.add(found, wanted)
            result.overall.add(found, wanted)
            if found != wanted:
                what = "false tick" if found else "missed"
                result.misses.append(f"{what}: {card.id} point {i} ({card.rubric[i - 1].point}) in a {kind} answer #{n}")
    return result


def render(result: Result, name: str) -> str:
    lines = [
        f"grading ({name}): {result.answers} labelled answers to {result.prompts} prompts",
        "",
        "| answers | precision | recall | F1 | pairs (tp / fp / fn / tn) |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    rows = [("all", result.overall)] + [(k, result.by_kind[k]) for k in KINDS if k in result.by_kind]
    for kind, c in rows:
        lines.append(f"| {kind} | {c.precision:.2f} | {c.recall:.2f} | {c.f1:.2f} | {c.tp} / {c.fp} / {c.fn} / {c.tn} |")
    lines += [
        "",
        f"F1 {result.overall.f1:.2f} (target >= {TARGETS['f1']:.2f}) "
        f"{'meets' if result.overall.f1 >= TARGETS['f1'] else 'MISSES'}",
        f"false ticks on buzzword and wrong answers {result.false_tick_rate:.1%} (target <= {TARGETS['false_tick_rate']:.0%}) "
        f"{'meets' if result.false_tick_rate <= TARGETS['false_tick_rate'] else 'MISSES'}",
        f"recall on strong answers in other words {result.other_words_recall:.2f} (target >= {TARGETS['other_words_recall']:.2f}) "
        f"{'meets' if result.other_words_recall >= TARGETS['other_words_recall'] else 'MISSES'}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench grading", description=__doc__.split("\n\n")[0])
    parser.add_argument("--detector", choices=("stems", "substring"), default="stems")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--show-misses", action="store_true", help="list every disagreement with the labels")
    args = parser.parse_args(argv)
    result = evaluate(detector=detect if args.detector == "stems" else substring_detect)
    if args.json:
        print(json.dumps(result.figures(), indent=2))
    else:
        print(render(result, args.detector))
        if args.show_misses:
            print("\n".join(["", *result.misses]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
