"""Study settings: checked when made, read back from the database as written."""

from __future__ import annotations

import pytest

from quizapp.scheduling.scheduler import StudySettings, load_settings, save_settings


def test_settings_round_trip_through_the_database(fresh_store):
    settings = StudySettings(desired_retention=0.85, new_per_day=5, fuzz=False, parameters=[0.5] * 21)
    save_settings(fresh_store, settings)
    assert load_settings(fresh_store) == settings
    assert load_settings(fresh_store).model_copy(update={"new_per_day": 7}).new_per_day == 7


@pytest.mark.parametrize(
    ("stored", "message"),
    [
        ({"desired_retention": 1.5}, "desired_retention: must be between 0.7 and 0.99, got 1.5"),
        ({"new_per_day": 2.5}, "new_per_day: expected a whole number, got 2.5"),
        ({"rollover_hour": "4"}, "rollover_hour: expected a whole number, got '4'"),
        ({"fuzz": "yes"}, "fuzz: expected true or false, got 'yes'"),
        ({"learning_steps_min": [1, "ten"]}, "learning_steps_min[1]: expected a number, got 'ten'"),
        ({"maximum_interval": 0}, "maximum_interval: must be at least 1, got 0"),
    ],
)
def test_a_bad_value_is_refused_naming_its_field(stored, message):
    with pytest.raises(ValueError) as caught:
        StudySettings.model_validate(stored)
    assert str(caught.value) == message


def test_keys_of_other_versions_are_ignored_and_numbers_take_their_type():
    settings = StudySettings.model_validate({"desired_retention": 0.9, "something_new": 1, "new_per_day": 10.0})
    assert settings.new_per_day == 10 and isinstance(settings.new_per_day, int)
    assert StudySettings.model_validate({}) == StudySettings()
