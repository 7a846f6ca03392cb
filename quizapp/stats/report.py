"""The progress report's models: what ``quizapp stats --json`` prints and the dashboard shows, every
field described (``quizapp stats --schema`` prints the JSON Schema)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from quizapp.study.plan import PlanReport

LEECH_LAPSES = 8
"""A card forgotten this many times after being learned is a leech (Anki's default threshold)."""
HEATMAP_DAYS = 365
"""Study days the calendar heatmap covers, ending today."""
FORECAST_DAYS = 30
"""Study days the due forecast covers, starting today."""
RETENTION_WEEKS = 26
"""Weeks of true and predicted retention shown over time."""
WEAKEST = 15
"""Cards in the list of weakest cards."""


class Today(BaseModel):
    """What today looks like."""

    day: date = Field(description="The current study day (local date; a day starts at the rollover hour).")
    due: int = Field(description="Review cards still due today (within the daily review limit).")
    learning: int = Field(description="Cards in (re)learning due today.")
    new: int = Field(description="New cards today's limit will still introduce.")
    answers: int = Field(description="Answers given today, in every mode.")
    reviewed: int = Field(description="Review-state cards answered today in review mode.")
    new_studied: int = Field(description="New cards introduced today.")
    seconds: int = Field(description="Time spent answering today, in seconds.")
    streak: int = Field(description="Study days in a row with at least one answer, up to today (or yesterday, while today is still open).")
    longest_streak: int = Field(description="The longest such run ever.")

    def answered_text(self) -> str:
        """Today's answers and the cards among them, in words that do not add answers to cards."""
        if not self.answers:
            return "no answers yet"
        s = "" if self.answers == 1 else "s"
        return (f"{self.answers} answer{s}: {self.reviewed} review card{'' if self.reviewed == 1 else 's'} and "
                f"{self.new_studied} new card{'' if self.new_studied == 1 else 's'} among them "
                "(the rest: learning steps, quiz and interview answers)")


class DayCount(BaseModel):
    day: date = Field(description="Study day.")
    reviews: int = Field(description="Answers given that day, in every mode.")


class Retention(BaseModel):
    """True retention beside FSRS's prediction, for a deck, a week or everything."""

    key: str = Field(description="Deck id, week start (YYYY-MM-DD), or 'all'.")
    title: str = Field(description="Deck title, or the same as key.")
    answers: int = Field(description="Review-mode answers on review-state cards.")
    true_retention: float | None = Field(description="Share of those answers not rated Again; null without answers.")
    predicted_retention: float | None = Field(description="FSRS's mean predicted recall for those answers; null without answers.")


class DeckRecall(Retention):
    cards: int = Field(description="Cards in the deck: every side and cloze deletion, interview prompts and suspended cards too (as home, `decks` and `check` count them).")
    studied: int = Field(description="Of those, cards studied at least once.")
    recall_now: float | None = Field(description="Mean recall now over the studied cards; null when none.")


class ForecastDay(BaseModel):
    day: date = Field(description="Study day.")
    due: int = Field(description="Cards (review and learning) falling due that day; today includes every overdue card.")


class TopicMastery(BaseModel):
    topic: str = Field(description="A card tag that is not a stage name.")
    cards: int = Field(description="Cards with this tag (present, not suspended).")
    studied: int = Field(description="Of those, cards studied at least once.")
    recall_now: float | None = Field(description="Mean recall now over the studied cards; null when none.")
    mastery: float = Field(description="Mean recall now over all the cards, unstudied ones counting 0: the share of the topic you would recall right now.")
    answers: int = Field(description="Review-mode answers on review-state cards of the topic.")
    true_retention: float | None = Field(description="Share of those not rated Again; null without answers.")


class StageCell(BaseModel):
    topic: str = Field(description="Topic (card tag).")
    stage: str = Field(description="One of data, model, serving, monitoring, tradeoff.")
    strength: float = Field(description="Mean of the evidence: recall now of studied cards (other than interview prompts) tagged with the topic and the stage, and the stage's share of rubric points covered in the latest mock-interview attempt on each prompt of the topic.")
    cards: int = Field(description="Studied cards that gave evidence.")
    attempts: int = Field(description="Mock-interview prompts whose latest attempt gave evidence.")


class WeakCard(BaseModel):
    id: str = Field(description="Card (item) id.")
    deck_id: str = Field(description="Deck id.")
    title: str = Field(description="First line of the question.")
    recall_now: float = Field(description="FSRS's predicted recall now.")
    lapses: int = Field(description="Times forgotten after being learned.")
    reps: int = Field(description="Answers that moved its schedule.")
    leech: bool = Field(description=f"At least {LEECH_LAPSES} lapses.")


class LeechCard(BaseModel):
    id: str = Field(description="Card (item) id.")
    deck_id: str = Field(description="Deck id.")
    title: str = Field(description="First line of the question.")
    lapses: int = Field(description="Times forgotten after being learned.")
    suspended: bool = Field(description="Still suspended (`quizapp unsuspend ID` brings it back; it stays a leech).")


class Attempt(BaseModel):
    submitted_at: datetime = Field(description="When the mock-interview answer was submitted (UTC).")
    card_id: str = Field(description="The interview prompt's id.")
    score: float = Field(description="Share of rubric points covered, 0-1.")
    stages: dict[str, float] = Field(description="Share of rubric points covered per stage.")


class StageScore(BaseModel):
    stage: str = Field(description="Interview stage.")
    attempts: int = Field(description="Attempts whose rubric had points in this stage.")
    mean: float | None = Field(description="Mean share covered over those attempts; null without any.")
    recent: float | None = Field(description="Mean share over the latest five of them; null without any.")


class Report(BaseModel):
    """Every figure of the progress dashboard."""

    generated_at: datetime = Field(description="When the figures were computed (UTC).")
    today: Today
    heatmap: list[DayCount] = Field(description=f"Answers per study day over the last {HEATMAP_DAYS} days, oldest first.")
    retention: Retention = Field(description="True and predicted retention over all time.")
    decks: list[DeckRecall] = Field(description="Per deck: true and predicted retention over all time, and recall now.")
    retention_weeks: list[Retention] = Field(description=f"True and predicted retention per week (weeks start on Monday) over the last {RETENTION_WEEKS} weeks, oldest first; weeks without answers are left out.")
    forecast: list[ForecastDay] = Field(description=f"Cards due per study day for the next {FORECAST_DAYS} days, today first.")
    topics: list[TopicMastery] = Field(description="Mastery per topic, weakest first.")
    stage_map: list[StageCell] = Field(description="Strength per topic and interview stage, where there is evidence.")
    weakest: list[WeakCard] = Field(description="The weakest studied cards: leeches first, then lowest recall now.")
    leeches: list[LeechCard] = Field(default_factory=list, description="Cards tagged leech (lapsed the leech threshold, `quizapp config leech_threshold`), most lapses first.")
    interviews: list[Attempt] = Field(description="Mock-interview attempts, oldest first.")
    interview_stages: list[StageScore] = Field(description="Mock-interview scores per stage.")
    plan: PlanReport | None = Field(default=None, description="The interview-date plan, when a date is set (see `quizapp plan`).")


def report_schema() -> dict:
    """The JSON Schema of ``quizapp stats --json``, every field described."""
    return Report.model_json_schema()
