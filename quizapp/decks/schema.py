"""The deck file format as pydantic models: what ``parse_deck`` checks every card against.

Only parsing needs these; the cards kept and shown are ``quizapp.decks.models``'s plain classes, so that a
start whose decks all come from the cache never imports pydantic.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

from quizapp.decks.models import CARD_CLASSES, CLOZE_RE, RubricPoint

Stage = Literal["data", "model", "serving", "monitoring", "tradeoff"]
Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=120)]
Text = Annotated[str, Field(min_length=1)]


def _as_list(value: Any) -> Any:
    """Let a single string stand for a one-element list (``source: a.txt``)."""
    if isinstance(value, str):
        return [value]
    return value


class _Model(BaseModel):
    # Validators are built on first use: a start whose decks all come from the cache never needs them.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class _CardBase(_Model):
    id: Id
    """Stable identity of the card; progress is keyed by it, so never reuse or change it."""
    source: list[Text] = Field(min_length=1)
    """The source document(s) the card's facts come from."""
    tags: list[Text] = []
    """Topic tags the progress screens group by."""
    year: int | None = Field(default=None, ge=1900, le=2100)
    """For a dated fact: the year it happened (quiz mode asks about it)."""
    event: str | None = None
    """For a dated fact: a short label of what happened, e.g. ``PyTorch 1.0 is released``."""
    notes: str = ""
    """What was checked to make the card true (and what a source claimed where it is wrong); not studied."""

    _listify = field_validator("source", "tags", mode="before")(_as_list)

    @model_validator(mode="after")
    def _dated_needs_both(self):
        if (self.year is None) != (self.event is None):
            raise ValueError("a dated card needs both 'year' and 'event'")
        return self


class BasicCardSchema(_CardBase):
    kind: Literal["basic"] = "basic"
    front: Text
    back: Text
    reverse: bool = False
    """Also study it back to front."""


class ClozeCardSchema(_CardBase):
    kind: Literal["cloze"]
    text: Text
    """Text with deletions written ``{{c1::answer}}`` or ``{{c1::answer::hint}}``."""
    extra: str = ""
    """Shown under the answer."""

    @field_validator("text")
    @classmethod
    def _has_deletion(cls, value: str) -> str:
        if not CLOZE_RE.search(value):
            raise ValueError("a cloze needs at least one deletion written {{c1::...}}")
        return value

    def numbers(self) -> list[int]:
        return sorted({int(m.group(1)) for m in CLOZE_RE.finditer(self.text)})


class ChoiceCardSchema(_CardBase):
    kind: Literal["choice"]
    question: Text
    choices: list[Text] = Field(min_length=2, max_length=9)
    answer: Text
    """The right choice, written exactly as in ``choices``."""
    explanation: str = ""

    @model_validator(mode="after")
    def _answer_is_a_choice(self):
        if len(set(self.choices)) != len(self.choices):
            raise ValueError("choices must be different from each other")
        if self.answer not in self.choices:
            raise ValueError("answer must be one of the choices, written the same way")
        return self


class OrderCardSchema(_CardBase):
    kind: Literal["order"]
    prompt: Text
    items: list[Text] = Field(min_length=2, max_length=9)
    """The items in their right order."""

    @field_validator("items")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("items must be different from each other")
        return value


class RubricPointSchema(_Model):
    point: Text
    """What a good answer covers: one idea an interviewer would credit."""
    stage: Stage | None = None
    """data, model, serving, monitoring or tradeoff; left out where no stage fits."""
    evidence: list[Text] = []
    """Cues that show the point in an answer: groups joined by ``+`` that must all appear in one
    sentence, each group alternatives joined by ``|``."""
    terms: list[Text] = []
    """Older decks' key terms, each read as a one-group cue when ``evidence`` is empty."""

    _listify = field_validator("terms", "evidence", mode="before")(_as_list)

    @model_validator(mode="after")
    def _has_cues(self):
        if not self.evidence and not self.terms:
            raise ValueError("a rubric point needs 'evidence' (or older 'terms')")
        for cue in self.evidence:
            groups = [g for g in cue.split("+")]
            if any(not [a for a in g.split("|") if a.strip()] for g in groups):
                raise ValueError(f"evidence {cue!r} has an empty group: write groups as 'a|b + c|d'")
        return self


class InterviewCardSchema(_CardBase):
    kind: Literal["interview"]
    prompt: Text
    model_answer: list[Text] = Field(min_length=1)
    """The outline of a strong answer, one line per step."""
    rubric: list[RubricPointSchema] = Field(min_length=1, max_length=12)
    time_limit: int = Field(default=300, ge=30, le=7200)
    """Seconds allowed for an answer."""

    _listify_answer = field_validator("model_answer", mode="before")(_as_list)


Card = Annotated[Union[BasicCardSchema, ClozeCardSchema, ChoiceCardSchema, OrderCardSchema, InterviewCardSchema], Field(discriminator="kind")]
CARD_ADAPTER: TypeAdapter = TypeAdapter(Card, config=ConfigDict(defer_build=True))

class DeckHeaderSchema(_Model):
    id: Id
    title: Text
    description: str = ""
    cards: list[Any] = []



def to_card(model: Any) -> Any:
    """The plain card for a validated model."""
    data = dict(model.__dict__)
    if data["kind"] == "interview":
        data["rubric"] = [RubricPoint(**point.__dict__) for point in data["rubric"]]
    return CARD_CLASSES[data["kind"]](**data)


def validate_card(raw: Any) -> Any:
    """One card from plain data; raises pydantic's ``ValidationError``."""
    return to_card(CARD_ADAPTER.validate_python(raw))
