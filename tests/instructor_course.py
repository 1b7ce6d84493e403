"""A throwaway copy of the course's grading folder for instructor-pipeline tests."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from course.instructor.coursedir import CONFIG_FILE, CourseDir, open_course
from tests.conftest import ROOT

GRADING = ROOT / "grading"


def make_course(root: Path, db_url: str | None = None) -> CourseDir:
    """Copy grading/assessments, grading/source and nbgrader_config.py (the real one) into
    ``root`` and open it there."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(GRADING / "assessments", root / "assessments")
    shutil.copytree(GRADING / "source", root / "source")
    shutil.copy2(GRADING / CONFIG_FILE, root / CONFIG_FILE)
    return open_course(root, db_url)


def snapshot(folder: Path, skip: Path | None = None) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` (except under ``skip``) with its size and mtime."""
    listing: dict[str, tuple[int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        if skip is not None and (here == skip or skip in here.parents):
            dirnames[:] = []
            continue
        for name in filenames + [d + "/" for d in dirnames]:
            path = here / name.rstrip("/")
            try:
                stat = path.lstat()
            except FileNotFoundError:
                continue
            listing[str(path.relative_to(folder)) + ("/" if name.endswith("/") else "")] = (
                stat.st_size if not name.endswith("/") else 0, stat.st_mtime_ns if not name.endswith("/") else 0)
    return listing
