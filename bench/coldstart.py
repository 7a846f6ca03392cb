"""One cold start, in a fresh process, headless: ``quizapp review`` or a bare Textual app.

    python bench/coldstart.py quizapp HOME LAUNCHED_NS
    python bench/coldstart.py bare - LAUNCHED_NS

The parent passes ``time.time_ns()`` taken just before it started this process. Once the first card
(or the bare app's one Static) is on screen and the screen has been refreshed, this prints one JSON
line: milliseconds since launch, the processor time used so far (user + system) and the peak
resident memory so far, then exits.

``quizapp`` runs the real command line (``quizapp --home HOME review``) with Textual's headless
driver. Only one thing is changed: the bundled decks are replaced by HOME's own decks, so the app
studies exactly the generated cards that Anki's collection holds too.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time


def peak_rss_kb() -> int:
    """This program's peak resident memory. Not ``ru_maxrss``: on Linux that keeps the peak of the
    process that started this one (it survives fork and exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def report(app) -> None:
    elapsed_ms = (time.time_ns() - int(sys.argv[3])) / 1e6
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_ms = (usage.ru_utime + usage.ru_stime) * 1000
    print(json.dumps({"ms": elapsed_ms, "cpu_ms": cpu_ms, "rss_kb": peak_rss_kb()}), flush=True)
    app.exit(0)


def bare() -> int:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Bare(App):
        def compose(self) -> ComposeResult:
            yield Static("What does torch.compile capture?")

        def on_mount(self) -> None:
            self.call_after_refresh(report, self)

    Bare().run()
    return 0


def quizapp(home: str) -> int:
    from pathlib import Path

    import quizapp.workspace
    from quizapp.tui.screens import review

    quizapp.workspace.bundled_decks = lambda: Path(home) / "decks"
    show = review.ReviewScreen.show

    def show_and_report(self, item) -> None:
        show(self, item)
        if not getattr(self.app, "_bench_reported", False):
            self.app._bench_reported = True
            self.app.call_after_refresh(report, self.app)

    review.ReviewScreen.show = show_and_report
    from quizapp.cli.main import main

    return main(["--home", home, "review"])


if __name__ == "__main__":
    os.environ.setdefault("TEXTUAL_DRIVER", "textual.drivers.headless_driver:HeadlessDriver")
    sys.exit(bare() if sys.argv[1] == "bare" else quizapp(sys.argv[2]))
