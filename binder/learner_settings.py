"""Write ``binder/overrides.json``: the JupyterLab settings every course session starts with.

- No news and no update check (``@jupyterlab/apputils-extension:notification``), and no
  extension manager.
- Keys typed in a course widget stay in the widget. JupyterLab's command-mode shortcuts
  (arrow keys, A, B, D D, M, Y, Shift+Enter ...) fire for any focused element in a notebook
  that is not a text field, so an arrow key on a radio button jumped to the next cell, D D on
  a focused button deleted the cell, and Shift+Enter in the reflection's text box ran the cell
  again. Each such default shortcut is disabled and added back with a selector that leaves out
  focus inside ``.jupyter-widgets``; everywhere else they work as before.

The shortcuts are read from the installed JupyterLab's schemas, so run this again after a
JupyterLab upgrade (``tests/test_binder.py`` fails when the file misses a shortcut):
``.venv/bin/python binder/learner_settings.py``.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OVERRIDES = Path(__file__).resolve().parent / "overrides.json"
NOTEBOOK_FOCUS = ".jp-Notebook.jp-mod-commandMode:not(.jp-mod-readWrite) :focus"
CODE_RUNNER = "[data-jp-code-runner]"
NOT_IN_WIDGET = {NOTEBOOK_FOCUS: NOTEBOOK_FOCUS + ":not(.jupyter-widgets *)",
                 CODE_RUNNER: CODE_RUNNER + ":not(:has(.jupyter-widgets :focus))"}


def schema_dir() -> Path:
    return Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"


def default_shortcuts(schemas: Path | None = None) -> list[dict[str, Any]]:
    """JupyterLab's default shortcuts that a key pressed in a widget would trigger."""
    found = []
    for path in sorted((schemas or schema_dir()).rglob("*.json")):
        try:
            shortcuts = json.loads(path.read_text(encoding="utf-8")).get("jupyter.lab.shortcuts", [])
        except (ValueError, AttributeError):
            continue
        found += [s for s in shortcuts if s.get("selector") in NOT_IN_WIDGET and s.get("keys") and any(s["keys"])]
    return found


def overrides(schemas: Path | None = None) -> dict[str, Any]:
    shortcuts = []
    for default in default_shortcuts(schemas):
        base = {"command": default["command"], "keys": default["keys"]}
        shortcuts += [{**base, "selector": default["selector"], "disabled": True},
                      {**base, "selector": NOT_IN_WIDGET[default["selector"]]}]
    return {
        "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
        "@jupyterlab/extensionmanager-extension:plugin": {"enabled": False},
        "@jupyterlab/shortcuts-extension:shortcuts": {"shortcuts": shortcuts},
    }


def text(schemas: Path | None = None) -> str:
    return json.dumps(overrides(schemas), indent=2) + "\n"


if __name__ == "__main__":
    OVERRIDES.write_text(text(), encoding="utf-8")
    print(f"wrote {OVERRIDES}")
