"""Letting go of a closed screen: the references Textual keeps to it, dropped.

Textual keeps parts of a closed screen alive long after it is gone:

- A widget that watches a reactive attribute of another node (``watch``) stays in that node's
  list of watchers until the attribute next changes. Every ``Header`` watches the app's title and
  sub-title, which never change here, so every closed screen's header stayed, and every set of
  footer keys the home screen's footer ever showed stayed in the footer's list.
- ``StylesCache.get_inner_outer`` is an ``lru_cache`` on a method, so each entry keeps a widget's
  styles cache, and with it the lines last drawn, for the last 1,024 widgets drawn.

All of it was in the walk of every full collection of Python's cycle collector, which holds the
interpreter, so the pauses grew as the session went on: the objects alive grew by ~17,000 with
each visit of the dashboard (bench/README.md, "Event-loop stalls").
"""

from __future__ import annotations

from textual.app import App
from textual.message_pump import MessagePump

try:  # a private module: without it, the cache is left as it is
    from textual._styles_cache import StylesCache
except ImportError:  # pragma: no cover - another Textual
    StylesCache = None  # type: ignore[assignment,misc]


def release_closed(app: App) -> None:
    """Drop what Textual keeps of the widgets no longer in the app (call once a screen is gone)."""
    nodes: list[MessagePump] = [app]
    for screen in app.screen_stack:
        nodes.extend(screen.walk_children(with_self=True))
    for node in nodes:
        watchers = getattr(node, "__watchers", None)  # reactive.py keeps them under this name
        if isinstance(watchers, dict):
            for watching in watchers.values():
                watching[:] = [(owner, callback) for owner, callback in watching
                               if owner is app or not isinstance(owner, MessagePump) or owner.is_attached]
    cache_clear = getattr(getattr(StylesCache, "get_inner_outer", None), "cache_clear", None)
    if cache_clear is not None:
        cache_clear()
