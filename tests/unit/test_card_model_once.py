"""A card's fields are declared once, on its dataclass: the deck schema checks exactly those fields,
in their order, with their defaults, and a field added to a card is checked without being written
again."""

from __future__ import annotations

import dataclasses
import inspect

import pytest
from pydantic import ValidationError

from quizapp.decks import models, schema
from quizapp.decks.models import CARD_CLASSES, BasicCard, RubricPoint


@pytest.mark.parametrize("kind", sorted(CARD_CLASSES))
def test_the_schema_checks_the_fields_each_card_declares(kind):
    card = CARD_CLASSES[kind]
    model = schema._SCHEMAS[card]
    assert list(model.model_fields) == [f.name for f in dataclasses.fields(card)]
    for f in dataclasses.fields(card):
        checked = model.model_fields[f.name]
        if f.default is not dataclasses.MISSING:
            assert checked.default == f.default, f.name
        elif f.default_factory is not dataclasses.MISSING:
            assert checked.default_factory() == f.default_factory(), f.name
        else:
            assert checked.is_required(), f.name


def test_a_field_added_to_a_card_is_checked_with_its_default():
    @dataclasses.dataclass(frozen=True, kw_only=True)
    class TimedCard(BasicCard):
        seconds: int = 30
        """How long to look at it."""

    model = schema._schema(TimedCard, schema._CardChecks)
    card = schema.to_card(model.model_validate({"id": "t", "source": "s.txt", "front": "q", "back": "a"}))
    assert isinstance(card, TimedCard) and card.seconds == 30 and card.source == ["s.txt"]
    with pytest.raises(ValidationError, match="seconds"):
        model.model_validate({"id": "t", "source": "s.txt", "front": "q", "back": "a", "seconds": "soon"})
    with pytest.raises(ValidationError, match="front"):
        model.model_validate({"id": "t", "source": "s.txt", "front": "", "back": "a"})


def test_field_docs_are_written_on_the_cards_only():
    source = inspect.getsource(schema)
    for card in [*CARD_CLASSES.values(), RubricPoint]:
        for line in inspect.getsource(card).splitlines():
            line = line.strip()
            if line.startswith('"""') and len(line) > 20 and card.__doc__ is not None and line.strip('"') not in card.__doc__:
                assert line not in source, line
    assert "Stable identity of the card" in inspect.getsource(models)


def test_an_interview_card_comes_back_with_plain_rubric_points():
    card = schema.validate_card({
        "id": "i", "kind": "interview", "source": ["s.txt"], "prompt": "Design it", "model_answer": "one line",
        "rubric": [{"point": "cache", "stage": "serving", "evidence": "cache|memo"}],
    })
    assert type(card.rubric[0]) is RubricPoint and card.rubric[0].cues() == ["cache|memo"]
    assert card.model_answer == ["one line"]
