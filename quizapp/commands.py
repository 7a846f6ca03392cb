"""Imports the modules that add sub-commands to ``quizapp.cli``, so each feature keeps its own."""
from quizapp import cli_interop  # noqa: F401
from quizapp import cli_safety  # noqa: F401
from quizapp import cli_modes  # noqa: F401
from quizapp import cli_stats  # noqa: F401
