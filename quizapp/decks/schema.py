"""The deck file format as pydantic models: what ``parse_deck`` checks every card against.

The models are built from the cards' dataclasses (``quizapp.decks.models``), which declare each
field once with its type, default and doc; this module adds only the checks. Only parsing needs these; the cards kept and shown are ``quizapp.decks.models``'s plain classes, so that a
start whose decks all come from the cache never imports pydantic.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model, field_validator, model_validator

from quizapp.decks.models import (
    CARD_CLASSES,
    CLOZE_RE,
    BasicCard,
    ChoiceCard,
    ClozeCard,
    InterviewCard,
    OrderCard,
    RubricPoint,
)

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


# ---------------------------------------------------------------- the checks
# Each card kind's fields, types, defaults and docs are declared once, on its dataclass in
# ``quizapp.decks.models``; the schema's models are built from them and add only what is checked.

_ALLOW_EMPTY = {"event", "notes", "extra", "explanation"}
"""Text fields that may be left empty; every other text (and every item of a list) needs a character."""

_TYPES: dict[str, Any] = {"id": Id, "stage": Stage | None}
"""Fields checked against a narrower type than the card keeps."""

_LIMITS: dict[str, Any] = {
    "source": Field(min_length=1),
    "year": Field(ge=1900, le=2100),
    "choices": Field(min_length=2, max_length=9),
    "items": Field(min_length=2, max_length=9),
    "model_answer": Field(min_length=1),
    "rubric": Field(min_length=1, max_length=12),
    "time_limit": Field(ge=30, le=7200),
}
"""Bounds on sizes and numbers."""


class _CardChecks(_Model):
    """What every kind of card is checked for beyond its fields' types."""

    _listify = field_validator("source", "tags", mode="before", check_fields=False)(_as_list)

    @model_validator(mode="after")
    def _dated_needs_both(self):
        if (getattr(self, "year") is None) != (getattr(self, "event") is None):
            raise ValueError("a dated card needs both 'year' and 'event'")
        return self


class _ClozeChecks(_CardChecks):
    @field_validator("text", check_fields=False)
    @classmethod
    def _has_deletion(cls, value: str) -> str:
        if not CLOZE_RE.search(value):
            raise ValueError("a cloze needs at least one deletion written {{c1::...}}")
        return value


class _ChoiceChecks(_CardChecks):
    @model_validator(mode="after")
    def _answer_is_a_choice(self):
        choices = getattr(self, "choices")
        if len(set(choices)) != len(choices):
            raise ValueError("choices must be different from each other")
        if getattr(self, "answer") not in choices:
            raise ValueError("answer must be one of the choices, written the same way")
        return self


class _OrderChecks(_CardChecks):
    @field_validator("items", check_fields=False)
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("items must be different from each other")
        return value


class _RubricPointChecks(_Model):
    _listify = field_validator("terms", "evidence", mode="before", check_fields=False)(_as_list)

    @model_validator(mode="after")
    def _has_cues(self):
        if not getattr(self, "evidence") and not getattr(self, "terms"):
            raise ValueError("a rubric point needs 'evidence' (or older 'terms')")
        for cue in getattr(self, "evidence"):
            groups = [g for g in cue.split("+")]
            if any(not [a for a in g.split("|") if a.strip()] for g in groups):
                raise ValueError(f"evidence {cue!r} has an empty group: write groups as 'a|b + c|d'")
        return self


class _InterviewChecks(_CardChecks):
    _listify_answer = field_validator("model_answer", mode="before", check_fields=False)(_as_list)


_SCHEMAS: dict[type, type[BaseModel]] = {}
"""The schema model built for each dataclass."""
_DATACLASSES: dict[type[BaseModel], type] = {}
"""The dataclass each schema model makes."""


def _checked_type(name: str, hint: Any) -> Any:
    if name in _TYPES:
        checked = _TYPES[name]
    elif hint is str and name not in _ALLOW_EMPTY:
        checked = Text
    elif get_origin(hint) is list:
        (inner,) = get_args(hint)
        checked = list[_SCHEMAS.get(inner, Text if inner is str else inner)]  # type: ignore[misc]
    else:
        checked = hint
    limit = _LIMITS.get(name)
    return Annotated[checked, limit] if limit is not None else checked


def _schema(cls: type, checks: type[BaseModel]) -> Any:
    """The pydantic model that checks ``cls``'s fields, in their order, with its defaults."""
    hints = get_type_hints(cls)
    spec: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            default = Field(default=f.default)
        elif f.default_factory is not dataclasses.MISSING:
            default = Field(default_factory=f.default_factory)
        else:
            default = ...
        spec[f.name] = (_checked_type(f.name, hints[f.name]), default)
    model = create_model(f"{cls.__name__}Schema", __base__=checks, __module__=__name__, **spec)
    _SCHEMAS[cls] = model
    _DATACLASSES[model] = cls
    return model


RubricPointSchema = _schema(RubricPoint, _RubricPointChecks)
BasicCardSchema = _schema(BasicCard, _CardChecks)
ClozeCardSchema = _schema(ClozeCard, _ClozeChecks)
ChoiceCardSchema = _schema(ChoiceCard, _ChoiceChecks)
OrderCardSchema = _schema(OrderCard, _OrderChecks)
InterviewCardSchema = _schema(InterviewCard, _InterviewChecks)
assert set(CARD_CLASSES.values()) <= set(_SCHEMAS), "every card kind needs its schema"


_KIND_MODELS: Any = Union[tuple(_SCHEMAS[cls] for cls in CARD_CLASSES.values())]  # noqa: UP007
Card: Any = Annotated[_KIND_MODELS, Field(discriminator="kind")]
CARD_ADAPTER: TypeAdapter = TypeAdapter(Card, config=ConfigDict(defer_build=True))

class DeckHeaderSchema(_Model):
    id: Id
    title: Text
    description: str = ""
    cards: list[Any] = []



def to_card(model: Any) -> Any:
    """The plain card (or rubric point) for a validated model."""
    data = {
        name: [to_card(v) for v in value] if value and isinstance(value, list) and isinstance(value[0], BaseModel) else value
        for name, value in model.__dict__.items()
    }
    return _DATACLASSES[type(model)](**data)


def validate_card(raw: Any) -> Any:
    """One card from plain data; raises pydantic's ``ValidationError``."""
    return to_card(CARD_ADAPTER.validate_python(raw))
