"""What the dialogs share: their look."""

DIALOG_CSS = """
    {name} {{ align: center middle; }}
    {name} .dialog {{
        width: 64; height: auto; padding: 1 2; border: thick $primary; background: $surface;
    }}
    {name} .dialog Label, {name} .dialog Static {{ width: 1fr; margin-bottom: 1; }}
    {name} .dialog Input {{ margin-bottom: 1; }}
    {name} .dialog ProgressBar {{ margin-bottom: 1; }}
    {name} .dialog-buttons {{ height: auto; align: right middle; }}
    {name} .dialog-buttons Button {{ margin-left: 1; }}
"""
