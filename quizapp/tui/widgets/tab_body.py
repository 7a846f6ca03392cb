"""The body of a tab that is mounted a frame after its screen shows (under ``textual.lazy.Lazy``),
and says so: the screen fills it when it is there, instead of looking for widgets that are not
mounted yet."""

from __future__ import annotations

from dataclasses import dataclass

from textual.containers import Horizontal, Vertical
from textual.message import Message


@dataclass
class TabBodyMounted(Message):
    """A tab's body and everything in it are mounted, ready to be filled."""

    tab: str
    """The id of the tab the body belongs to."""


class VerticalTabBody(Vertical):
    """A tab's widgets one above the other; posts ``TabBodyMounted`` once they are all mounted."""

    def __init__(self, tab: str, *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.tab = tab
        """The id of the tab this body fills."""

    def on_mount(self) -> None:
        # Mount comes after compose, so the children are mounted by now.
        self.post_message(TabBodyMounted(self.tab))


class HorizontalTabBody(Horizontal):
    """A tab's widgets side by side; posts ``TabBodyMounted`` once they are all mounted."""

    def __init__(self, tab: str, *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.tab = tab
        """The id of the tab this body fills."""

    def on_mount(self) -> None:
        self.post_message(TabBodyMounted(self.tab))
