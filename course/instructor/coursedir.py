"""The nbgrader course directory: where each step reads and writes, its configuration,
and the gradebook.

Every instructor step starts from ``open_course(root)``. It reads ``nbgrader_config.py``
in that folder (as plain ``nbgrader`` does) and lets a caller point the gradebook
elsewhere (``db_url``), so the same pipeline runs on SQLite or PostgreSQL.
"""
from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from course._errors import ConfigurationError

if TYPE_CHECKING:  # nbgrader and traitlets load only when a step runs
    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

CONFIG_FILE = "nbgrader_config.py"
NOTEBOOK = "assessment"            # every assessment is one notebook, assessment.ipynb
DEFAULT_ROOT = Path("grading")


@dataclass(frozen=True)
class CourseDir:
    """An nbgrader course directory with its loaded configuration."""

    root: Path
    config: Config
    course_id: str
    db_url: str

    # ---------------------------------------------------------------- folders
    @property
    def source_dir(self) -> Path:
        return self.root / "source"

    @property
    def release_dir(self) -> Path:
        return self.root / "release"

    @property
    def submitted_dir(self) -> Path:
        return self.root / "submitted"

    @property
    def autograded_dir(self) -> Path:
        return self.root / "autograded"

    @property
    def feedback_dir(self) -> Path:
        return self.root / "feedback"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    def source_notebook(self, assessment: str) -> Path:
        return self.source_dir / assessment / f"{NOTEBOOK}.ipynb"

    def release_notebook(self, assessment: str) -> Path:
        return self.release_dir / assessment / f"{NOTEBOOK}.ipynb"

    def submitted_notebook(self, learner: str, assessment: str) -> Path:
        return self.submitted_dir / learner / assessment / f"{NOTEBOOK}.ipynb"

    def autograded_notebook(self, learner: str, assessment: str) -> Path:
        return self.autograded_dir / learner / assessment / f"{NOTEBOOK}.ipynb"

    def feedback_file(self, learner: str, assessment: str) -> Path:
        return self.feedback_dir / learner / assessment / f"{NOTEBOOK}.html"

    # ---------------------------------------------------------------- assessments
    def assessment_ids(self) -> list[str]:
        """The assessments in ``source/``, in order (e.g. ``01_exosome_biology``)."""
        if not self.source_dir.is_dir():
            return []
        return sorted(p.parent.name for p in self.source_dir.glob(f"*/{NOTEBOOK}.ipynb"))

    def resolve(self, assessment: str) -> str:
        """The full id of an assessment named by its id or its module number ("01")."""
        known = self.assessment_ids()
        if assessment in known:
            return assessment
        matches = [a for a in known if a.split("_", 1)[0] == assessment.zfill(2)]
        if len(matches) == 1:
            return matches[0]
        listed = ", ".join(known) or "none"
        raise ConfigurationError(
            f"There is no assessment {assessment!r} in {self.source_dir}. "
            f"Known assessments: {listed}.")

    def submitted_learners(self, assessment: str) -> list[str]:
        """Learners with a submission of ``assessment`` in ``submitted/``, sorted."""
        if not self.submitted_dir.is_dir():
            return []
        return sorted(p.parent.parent.name
                      for p in self.submitted_dir.glob(f"*/{assessment}/{NOTEBOOK}.ipynb"))

    # ---------------------------------------------------------------- nbgrader objects
    def nbgrader_coursedir(self, assessment: str = "", learner: str = "*") -> CourseDirectory:
        from nbgrader.coursedir import CourseDirectory

        coursedir = CourseDirectory(config=self.config)
        coursedir.root = str(self.root)
        coursedir.db_url = self.db_url
        if assessment:
            coursedir.assignment_id = assessment
        coursedir.student_id = learner
        return coursedir

    @contextmanager
    def gradebook(self) -> Iterator[Gradebook]:
        """The gradebook, opened for one step; errors say how to fix the connection."""
        from nbgrader.api import Gradebook
        from sqlalchemy.exc import SQLAlchemyError

        ensure_tools_on_path()
        try:
            gradebook = Gradebook(self.db_url, self.course_id)
        except SQLAlchemyError as exc:
            raise ConfigurationError(
                f"Cannot open the gradebook at {redact(self.db_url)}: {exc.__class__.__name__}: "
                f"{str(exc).splitlines()[0]}. Check the database URL (--db-url or "
                "EXOCOURSE_DB_URL) and that the database server is running.") from exc
        try:
            yield gradebook
        finally:
            gradebook.close()


def redact(db_url: str) -> str:
    """The database URL without its password, for messages and logs."""
    if "@" in db_url and "://" in db_url:
        scheme, rest = db_url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}@{host}"
    return db_url


def ensure_tools_on_path() -> None:
    """nbgrader runs ``alembic`` when it creates a gradebook: make the one installed
    next to this Python findable even when the virtual environment is not activated."""
    bin_dir = str(Path(sys.executable).parent)
    if shutil.which("alembic") is None and (Path(bin_dir) / "alembic").exists():
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def load_config(root: Path) -> Config:
    from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

    try:
        return PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
    except ConfigFileNotFound:
        raise ConfigurationError(
            f"{root} has no {CONFIG_FILE}. Use --course-dir to point at the course's grading "
            "folder (the one with nbgrader_config.py and source/).") from None
    except Exception as exc:  # a syntax error in the instructor's config file
        raise ConfigurationError(f"{root / CONFIG_FILE} could not be read: {exc}") from exc


def driver_url(db_url: str) -> str:
    """``postgresql://`` means psycopg 3 to SQLAlchemy 2; use psycopg2 when only it is installed."""
    if db_url.startswith(("postgresql://", "postgres://")):
        import importlib.util

        if importlib.util.find_spec("psycopg") is None and importlib.util.find_spec("psycopg2") is not None:
            return "postgresql+psycopg2://" + db_url.split("://", 1)[1]
    return db_url


def open_course(root: Path | str = DEFAULT_ROOT, db_url: str | None = None) -> CourseDir:
    """Open the course directory ``root``; ``db_url`` overrides the configured gradebook."""
    path = Path(root).expanduser().resolve()
    if not path.is_dir():
        raise ConfigurationError(
            f"The course directory {path} does not exist. Use --course-dir to point at the "
            "course's grading folder.")
    config = load_config(path)
    course_dir_config: Any = config.CourseDirectory
    config.CourseDirectory.root = str(path)
    if db_url:
        config.CourseDirectory.db_url = db_url
    url = driver_url(str(course_dir_config.get("db_url") or f"sqlite:///{path / 'gradebook.db'}"))
    config.CourseDirectory.db_url = url
    course_id = str(course_dir_config.get("course_id") or "default_course")
    ensure_tools_on_path()
    return CourseDir(root=path, config=config, course_id=course_id, db_url=url)
