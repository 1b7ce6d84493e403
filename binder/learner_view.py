"""The folder a learner's JupyterLab serves: ``build/learner/``, holding only the course.

It has two entries, both links into the repository (or the learner edition):

- ``modules/``: the lessons;
- ``assessments/``: the released assessments, ``grading/release/`` in the course's own
  repository (built by ``exocourse release``) or ``assessments/`` in a learner edition.

The learner's file browser then shows the lessons and the assessments and nothing of the
helper library, the tests or the instructor's folder. ``make lab`` and Binder's ``postBuild``
run this script; ``binder/jupyter_server_config.json`` makes the folder the server's root.

Usage: ``python binder/learner_view.py [REPOSITORY]`` (default: the folder above binder/).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

VIEW = Path("build") / "learner"


def released_assessments(root: Path) -> Path:
    """Where this copy of the course keeps the assessments as learners receive them."""
    if (root / "grading" / "source").is_dir():
        return root / "grading" / "release"
    return root / "assessments"


def build(root: Path) -> Path:
    """Create (or refresh) ``root/build/learner`` and return it."""
    view = root / VIEW
    view.mkdir(parents=True, exist_ok=True)
    links = {"modules": root / "modules", "assessments": released_assessments(root)}
    for name, target in links.items():
        target.mkdir(parents=True, exist_ok=True)  # an empty folder until assessments are released
        link = view / name
        if link.is_symlink() or link.is_file():
            link.unlink()
        elif link.is_dir():
            raise SystemExit(f"{link} is a folder, not a link: move it away and run this again.")
        # Relative, so the view keeps working when the repository is moved or copied.
        link.symlink_to(os.path.relpath(target, view), target_is_directory=True)
    return view


if __name__ == "__main__":
    repository = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
    print(f"learner view: {build(repository.resolve())}")
