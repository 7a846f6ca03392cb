"""Imports the modules that add sub-commands to ``quizapp.cli``, so each feature keeps its own."""
