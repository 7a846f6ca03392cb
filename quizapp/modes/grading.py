"""Finding a mock-interview rubric's points in a typed answer.

A rubric point carries cues (``RubricPoint.evidence``): groups joined by ``+``, each group a set of
alternatives joined by ``|``, each alternative a word or a phrase. A cue is found when every one of
its groups is present in one sentence of the answer. Words are compared by their Snowball stems, so
"integrating" finds "integration" and "slower" does not find "SLO"; punctuation inside a phrase is
ignored, so "define-by-run" finds "define by run".

What earns nothing, because a fair interviewer would not credit it:
- words inside a negated clause ("we would not need to monitor drift");
- a cue whose every matched word is already in the prompt (restating the question);
- a sentence that mostly repeats the prompt;
- a bare list of key words: a sentence of three or more short comma-separated fragments, or a run
  of words with almost no function words, is read fragment by fragment, and a fragment shorter
  than three words counts for nothing.

The result keeps the evidence (the sentence and the words that matched) so the screen can show the
user why a point was pre-ticked; the user still confirms every tick.

A little over 400 lines: the checks every shipped rubric must pass (``check_rubric``, ``python -m
quizapp.modes.grading check``) stay beside the rules they exercise.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from quizapp.decks.models import RubricPoint

_STEMMER = snowballstemmer.stemmer("english")
_WORD = re.compile(r"[a-z0-9]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|[;\n]+|\s+[-–—•]\s+|^\s*[-*•]\s+", re.MULTILINE)
_CONTRACTIONS = ((re.compile(r"\bcan't\b"), "can not"), (re.compile(r"\bwon't\b"), "will not"), (re.compile(r"n't\b"), " not"))

NEGATORS = frozenset(
    "not no never cannot neither nor none nothing nobody nowhere hardly barely unnecessary needless pointless overkill".split()
)
"""Words that negate their clause: what comes after them, and what came before them in it ("A/B tests
are unnecessary", "drift is not worth watching")."""
SHORT_NEGATORS = frozenset("without lacking lack skip skipping avoid avoiding ignore ignoring".split())
"""Words that negate only the few words right after them ("train without running out of memory")."""
SHORT_SCOPE = 3
CLAUSE_ENDS = frozenset(
    "but however although though whereas yet instead rather so because since which while then unless except".split()
)
"""Words that end a negated clause."""
FUNCTION_WORDS = frozenset(
    """a an the of to in on at by for with from into onto across per over under via is are was were be been
    being am it its this that these those each every and or but so we you they i he she our their your my
    as than then can could will would should must may might not no do does did has have had which who what
    when where how why if because only more less most all any some both between while after before up down
    out one there here let lets make makes made use uses using used get gets""".split()
)
"""Words that prose has and a bare list of key words lacks."""
MIN_UNIT_WORDS = 3
"""A fragment shorter than this (a lone key word) earns nothing."""


SYNONYMS = (
    # Hardware and scale
    "gpu card device accelerator",
    "node machine host server box",
    "cluster fleet",
    "memory vram hbm ram",
    "bandwidth throughput-of-link",
    "network interconnect link fabric",
    # Splitting and copying state
    "shard slice piece chunk partition fragment portion split divide",
    "copy replica duplicate clone",
    "whole entire full complete",
    "parameter param weight",
    "optimizer optimiser adam adamw",
    "activation intermediate",
    "recompute recomputation rematerialize rematerialise redo",
    "gradient grad",
    "accumulate accumulation sum",
    # Communication
    "communication traffic transfer exchange",
    "overlap hide mask",
    "fetch gather pull",
    # Failures and recovery
    "failure crash fault outage die death",
    "restart relaunch resume rejoin",
    "checkpoint snapshot",
    # Shipping and watching models
    "deploy ship release rollout launch",
    "production prod live",
    "monitor watch track observe alert",
    "rollback revert fallback",
    "test check verify validate",
    "latency delay lag",
    "drift shift",
    "metric measure measurement",
    "profile profiler trace",
    # Speed and effort
    "fast quick rapid speedy",
    "slow sluggish",
    "easy simple straightforward",
    "debug troubleshoot",
    "research researcher academic academia scientist",
    "compile compilation compiler",
    "kernel program",
    "company vendor enterprise",
    "cost expense price bill",
)
"""Words a candidate uses for the same thing: a cue written with one finds any of the others."""


def stem(word: str) -> str:
    return _CANONICAL.get(_STEMMER.stemWord(word), _STEMMER.stemWord(word))


_CANONICAL: dict[str, str] = {}
for _group in SYNONYMS:
    _stems = [_STEMMER.stemWord(w) for w in _group.split() if "-" not in w]
    for _s in _stems:
        _CANONICAL.setdefault(_s, _stems[0])


def words_of(text: str) -> list[str]:
    """The lower-cased words of ``text``, contractions opened ("don't" gives "do", "not")."""
    text = text.lower().replace("’", "'")
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    text = re.sub(r"'s\b", "", text)
    return _WORD.findall(text)


@lru_cache(maxsize=4096)
def _alternative(text: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in words_of(text))


@dataclass(frozen=True)
class Cue:
    """One way of showing a point: every group must be found in one sentence."""

    text: str
    groups: tuple[tuple[tuple[str, ...], ...], ...]
    """For each group, its alternatives as tuples of stems."""

    @classmethod
    def parse(cls, text: str) -> Cue:
        groups = []
        for group in text.split("+"):
            alternatives = tuple(a for a in (_alternative(alt.strip()) for alt in group.split("|")) if a)
            if alternatives:
                groups.append(alternatives)
        return cls(text, tuple(groups))


@dataclass(frozen=True)
class Evidence:
    """Why a point was found: the sentence of the answer and the words in it that matched."""

    sentence: str
    words: tuple[str, ...]


@dataclass
class _Unit:
    """A stretch of the answer evidence must lie within: a sentence, or a fragment of a list."""

    text: str
    words: list[str]
    stems: list[str]
    negated: list[bool]


def _clauses(words: Sequence[str]) -> list[tuple[int, int]]:
    """(start, end) of each clause: words between clause-ending words."""
    bounds, start = [], 0
    for i, word in enumerate(words):
        if word in CLAUSE_ENDS and i > start:
            bounds.append((start, i))
            start = i
    bounds.append((start, len(words)))
    return bounds


def _negation(words: Sequence[str]) -> list[bool]:
    negated = [False] * len(words)
    for start, end in _clauses(words):
        # A negator late in a clause takes back what the clause said before it.
        first = next((i for i in range(start, end) if words[i] in NEGATORS), None)
        if first is not None:
            for i in range(start, first):
                negated[i] = True
    scope = 0
    for i, word in enumerate(words):
        if word in CLAUSE_ENDS:
            scope = 0
        if scope:
            negated[i] = True
            scope -= 1
        if word in NEGATORS:
            scope = len(words)
        elif word in SHORT_NEGATORS:
            scope = max(scope, SHORT_SCOPE)
    return negated


def _function_share(words: Sequence[str]) -> float:
    return sum(w in FUNCTION_WORDS for w in words) / len(words) if words else 0.0


def _is_bag(text: str, words: Sequence[str]) -> bool:
    """A run of key words with next to no words that join them into a statement, or names strung
    together by commas or arrows with none at all ("device mesh, single controller")."""
    if len(words) >= 6 and _function_share(words) < 0.12:
        return True
    return _function_share(words) == 0 and bool(re.search(r",|->|→|=>", text))


def _paragraphs(answer: str) -> str:
    """Lines wrapped inside a paragraph joined again: only a blank line or a list item starts anew."""
    return re.sub(r"(?<=\S)[ \t]*\n(?![ \t]*(?:\n|[-*•]|\d+[.)]\s))[ \t]*", " ", answer)


def _units(answer: str) -> list[_Unit]:
    units = []
    for sentence in _SENTENCE_END.split(_paragraphs(answer)):
        sentence = sentence.strip()
        if not sentence:
            continue
        pieces = [sentence]
        fragments = [f for f in re.split(r"[,/]|->|→|=>|\band\b|\bor\b", sentence) if f.strip()]
        fragment_words = [words_of(f) for f in fragments]
        short = sum(len(w) <= 3 for w in fragment_words)
        if len(fragments) >= 3 and short >= 0.75 * len(fragments) and _function_share(words_of(sentence)) < 0.2:
            pieces = fragments
        for piece in pieces:
            words = words_of(piece)
            if len(words) < MIN_UNIT_WORDS or _is_bag(piece, words):
                continue
            units.append(_Unit(piece.strip(), words, [stem(w) for w in words], _negation(words)))
    return units


def _find(alternative: tuple[str, ...], unit: _Unit, start: int, end: int) -> list[int] | None:
    """Positions of the first un-negated occurrence of ``alternative`` in ``unit`` between ``start``
    and ``end``."""
    n = len(alternative)
    for i in range(start, end - n + 1):
        if tuple(unit.stems[i : i + n]) == alternative and not any(unit.negated[i : i + n]):
            return list(range(i, i + n))
    return None


def _match(cue: Cue, unit: _Unit, prompt_stems: frozenset[str]) -> list[int] | None:
    """Where the cue is found in one clause of ``unit``: every group, not only words of the prompt."""
    for start, end in _clauses(unit.words):
        found = _match_in(cue, unit, start, end)
        if found and not all(unit.stems[i] in prompt_stems for i in found):
            return sorted(set(found))
    return None


def _match_in(cue: Cue, unit: _Unit, start: int, end: int) -> list[int] | None:
    found: list[int] = []
    for group in cue.groups:
        for alternative in group:
            where = _find(alternative, unit, start, end)
            if where is not None and not all(unit.words[i] in FUNCTION_WORDS for i in where):
                found += where
                break
        else:
            return None
    return found


def _repeats_prompt(unit: _Unit, prompt_stems: frozenset[str]) -> bool:
    content = [s for s, w in zip(unit.stems, unit.words) if w not in FUNCTION_WORDS]
    return bool(content) and sum(s in prompt_stems for s in content) >= 0.8 * len(content)


def grade(rubric: Sequence[RubricPoint], answer: str, prompt: str = "") -> list[Evidence | None]:
    """For each rubric point, the evidence the answer gives for it, or None."""
    prompt_stems = frozenset(stem(w) for w in words_of(prompt))
    units = [u for u in _units(answer) if not _repeats_prompt(u, prompt_stems)]
    out: list[Evidence | None] = []
    for point in rubric:
        evidence = None
        for cue in (Cue.parse(text) for text in point.cues()):
            for unit in units:
                found = _match(cue, unit, prompt_stems)
                if found is not None:
                    evidence = Evidence(unit.text, tuple(unit.words[i] for i in found))
                    break
            if evidence:
                break
        out.append(evidence)
    return out


def detect(rubric: Sequence[RubricPoint], answer: str, prompt: str = "") -> list[bool]:
    """For each rubric point, whether the answer gives evidence for it."""
    return [e is not None for e in grade(rubric, answer, prompt)]


# --------------------------------------------------------------------------- rubric checks


def keyword_list(rubric: Sequence[RubricPoint]) -> str:
    """Every key word and phrase of a rubric's cues as one comma-separated list."""
    seen: dict[str, None] = {}
    for point in rubric:
        for cue in point.cues():
            for group in cue.split("+"):
                for alternative in group.split("|"):
                    if alternative.strip():
                        seen.setdefault(alternative.strip(), None)
    return ", ".join(seen)


def negated_answer(rubric: Sequence[RubricPoint]) -> str:
    """Each point's cues stated and denied: "It is not true that shard and memory."."""
    lines = []
    for point in rubric:
        for cue in point.cues():
            parts = [group.split("|")[0].strip() for group in cue.split("+")]
            lines.append(f"It is not true that we need {' and '.join(parts)}.")
    return "\n".join(lines)


@dataclass(frozen=True)
class RubricReport:
    """How a rubric fares against the answers it must and must not credit."""

    card_id: str
    points: int
    missed_by_model_answer: list[int]
    earned_by_prompt: list[int]
    earned_by_keyword_list: list[int]
    earned_by_negation: list[int]

    @property
    def problems(self) -> list[str]:
        out = []
        if self.missed_by_model_answer:
            out.append(f"the model answer does not earn point(s) {self.missed_by_model_answer}")
        if self.earned_by_prompt:
            out.append(f"the prompt alone earns point(s) {self.earned_by_prompt}")
        if len(self.earned_by_keyword_list) > 1:
            out.append(f"a bare list of the key words earns point(s) {self.earned_by_keyword_list}")
        if self.earned_by_negation:
            out.append(f"a negated answer earns point(s) {self.earned_by_negation}")
        return out


def check_rubric(card) -> RubricReport:
    """Grade a card's model answer, its prompt, its key words as a list and their negation."""

    def earned(answer: str) -> list[int]:
        return [i + 1 for i, found in enumerate(detect(card.rubric, answer, card.prompt)) if found]

    model = earned("\n".join(card.model_answer))
    return RubricReport(
        card.id,
        len(card.rubric),
        [i + 1 for i in range(len(card.rubric)) if i + 1 not in model],
        earned(card.prompt),
        earned(keyword_list(card.rubric)),
        earned(negated_answer(card.rubric)),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m quizapp.modes.grading check DECK.yaml ...``: every interview card's rubric checked."""
    from pathlib import Path

    from quizapp.decks.loader import load_deck_file

    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] != "check" or len(args) < 2:
        print("usage: python -m quizapp.modes.grading check DECK.yaml [...]", file=sys.stderr)
        return 2
    bad = total = 0
    for name in args[1:]:
        path = Path(name)
        deck, problems = load_deck_file(path, path.name)
        for problem in problems:
            print(problem)
        if deck is None:
            return 1
        for card in deck.cards:
            if card.kind != "interview":
                continue
            total += 1
            report = check_rubric(card)
            for problem in report.problems:
                print(f"{path}: {card.id}: {problem}")
            bad += bool(report.problems)
    print(f"{total} interview cards, {bad} with rubric problems")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
