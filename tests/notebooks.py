"""Helpers for tests that read or execute notebooks."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from tests.conftest import ROOT

MODULES_DIR = ROOT / "modules"


def lesson_paths() -> list[Path]:
    return sorted(MODULES_DIR.glob("*.ipynb"))


def read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def cell_source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def execute(path: Path, home: Path, timeout: int = 180) -> Any:
    """Run a notebook top to bottom in a fresh kernel (from the modules folder, as
    JupyterLab does) with its own learner record, keeping widget state for inspection."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    env_before = os.environ.get("EXOCOURSE_HOME")
    os.environ["EXOCOURSE_HOME"] = str(home)
    try:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=True,
                                resources={"metadata": {"path": str(path.parent)}})
        client.execute()
    finally:
        if env_before is None:
            os.environ.pop("EXOCOURSE_HOME", None)
        else:
            os.environ["EXOCOURSE_HOME"] = env_before
    return nb


def widget_models(nb: Any) -> list[dict[str, Any]]:
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    return [m for m in state.get("state", {}).values()]


CONTROL_MODELS = {"RadioButtonsModel", "CheckboxModel", "TextModel", "TextareaModel", "ButtonModel",
                  "DropdownModel", "SelectMultipleModel", "IntTextModel", "FloatTextModel",
                  "BoundedFloatTextModel", "BoundedIntTextModel", "ToggleButtonsModel", "SelectModel",
                  "IntSliderModel", "FloatSliderModel", "FloatLogSliderModel", "DatePickerModel",
                  "ToggleButtonModel", "ComboboxModel", "TagsInputModel", "FileUploadModel"}


def word_count(text: str) -> int:
    text = re.sub(r"<[^>]+>", " ", text)            # HTML tags
    text = re.sub(r"\[@[^\]]+\]", " ", text)        # citation keys are not read aloud
    text = re.sub(r"\]\([^)]*\)", "]", text)        # link targets
    return len(re.findall(r"[A-Za-z0-9][A-Za-z0-9'’\-.,%×µ]*", text))
