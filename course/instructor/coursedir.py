"""The nbgrader course directory: where each step reads and writes, its configuration,
and the gradebook.

Every instructor step starts from ``open_course(root)``. It reads ``nbgrader_config.py``
in that folder (as plain ``nbgrader`` does) and lets a caller point the gradebook
elsewhere (``db_url``), so the same pipeline runs on SQLite or PostgreSQL.

Two guarantees live here, shared with ``nbgrader_config.py`` so that exocourse,
nbgrader's own commands and Formgrader behave alike:

- **One URL for every tool.** ``normalise_db_url`` turns the documented
  ``postgresql://user@host/db`` into a URL naming an installed driver (psycopg 3, or
  psycopg2), and a missing driver becomes the command that installs it.
- **No silent second gradebook.** The first time a gradebook is opened, the course folder
  records which one it is (``gradebook-location.json``: backend, user, host, database; never
  the password). Pointed at another gradebook later (``EXOCOURSE_DB_URL`` forgotten in a new
  shell, a mistyped ``--db-url``), every tool stops and says what to set, instead of
  creating an empty ``gradebook.db`` beside the real one.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from course._errors import ConfigurationError

if TYPE_CHECKING:  # nbgrader and traitlets load only when a step runs
    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

from course import _atomic as atomic

CONFIG_FILE = "nbgrader_config.py"
NOTEBOOK = "assessment"            # every assessment is one notebook, assessment.ipynb
DEFAULT_ROOT = Path("grading")
DB_URL_VARIABLE = "EXOCOURSE_DB_URL"
GRADEBOOK_RECORD = "gradebook-location.json"
SQLITE_FILE = "gradebook.db"


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
        """nbgrader's view of this folder, for one of its converters (which opens the gradebook)."""
        from nbgrader.coursedir import CourseDirectory

        record_gradebook(self.root, self.db_url)

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
        check_gradebook(self.root, self.db_url)
        try:
            gradebook = Gradebook(self.db_url, self.course_id)
        except ImportError as exc:                 # a driver named in the URL but not installed
            raise ConfigurationError(missing_driver_message(self.db_url, exc.name)) from None
        except SQLAlchemyError as exc:
            raise ConfigurationError(
                f"Cannot open the gradebook at {redact(self.db_url)}: {exc.__class__.__name__}: "
                f"{str(exc).splitlines()[0]}. Check the database URL (--db-url or "
                f"{DB_URL_VARIABLE}) and that the database server is running.") from exc
        try:
            record_gradebook(self.root, self.db_url)
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


# Set while exocourse itself reads nbgrader_config.py: exocourse normalises and checks the
# gradebook URL after applying --db-url, so the config file must not stop it first.
_exocourse_reading_config = False


def load_config(root: Path) -> Config:
    from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

    global _exocourse_reading_config
    _exocourse_reading_config = True
    try:
        return PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
    except ConfigFileNotFound:
        raise ConfigurationError(
            f"{root} has no {CONFIG_FILE}. Use --course-dir to point at the course's grading "
            "folder (the one with nbgrader_config.py and source/).") from None
    except SystemExit as stop:  # the config file refused to run (see nbgrader_db_url)
        raise ConfigurationError(str(stop.code)) from None
    except Exception as exc:  # a syntax error in the instructor's config file
        raise ConfigurationError(f"{root / CONFIG_FILE} could not be read: {exc}") from exc
    finally:
        _exocourse_reading_config = False


# ---------------------------------------------------------------- one URL for every tool

# Each PostgreSQL driver SQLAlchemy knows by name, the module it imports, and what to install.
_POSTGRES_DRIVERS = {"psycopg": ("psycopg", "psycopg[binary]"), "psycopg2": ("psycopg2", "psycopg2-binary")}
POSTGRES_EXTRA = "exosome-reality-check[postgres]"


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def missing_driver_message(db_url: str, module: str | None = None) -> str:
    """What to run when the gradebook's database driver is not installed."""
    package = next((pkg for mod, pkg in _POSTGRES_DRIVERS.values() if mod == module), "psycopg[binary]")
    python = Path(sys.executable)
    return (f"The gradebook {redact(db_url)} is a PostgreSQL database, but its Python driver "
            f"({module or 'psycopg'}) is not installed. Install it with: {python} -m pip install "
            f"'{package}' (in the course repository: {python} -m pip install -e '.[postgres]').")


def normalise_db_url(db_url: str) -> str:
    """The gradebook URL as every tool should use it.

    ``postgres://`` and ``postgresql://`` (no driver named) become ``postgresql+psycopg://``,
    or ``postgresql+psycopg2://`` when only psycopg2 is installed: SQLAlchemy 2 would
    otherwise insist on psycopg 3 and fail with "No module named 'psycopg'". A URL that
    names its driver keeps it. A missing driver is a ConfigurationError with the install
    command. Other databases (SQLite, ...) are returned unchanged.
    """
    scheme, sep, rest = db_url.partition("://")
    if not sep:
        return db_url
    backend, _, driver = scheme.partition("+")
    if backend not in ("postgresql", "postgres"):
        return db_url
    if driver:
        module = _POSTGRES_DRIVERS.get(driver, (driver, driver))[0]
        if not _installed(module):
            raise ConfigurationError(missing_driver_message(db_url, module))
        return f"postgresql+{driver}://{rest}"
    for name, (module, _package) in _POSTGRES_DRIVERS.items():
        if _installed(module):
            return f"postgresql+{name}://{rest}"
    raise ConfigurationError(missing_driver_message(db_url, "psycopg"))


def default_db_url(root: Path) -> str:
    """nbgrader's own default: a SQLite file in the course folder."""
    return f"sqlite:///{root / SQLITE_FILE}"


# ---------------------------------------------------------------- no silent second gradebook

def gradebook_identity(db_url: str, root: Path) -> str:
    """Which database a URL names, without driver, password or options: what the course
    folder records and compares. SQLite files inside the course folder are named relative
    to it, so a course folder that is moved or copied keeps its identity."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(db_url)
    except ArgumentError:
        return redact(db_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            return "sqlite://(in memory)"
        path = Path(url.database).expanduser()
        path = (path if path.is_absolute() else Path.cwd() / path).resolve()
        try:
            return f"sqlite:///{path.relative_to(root.resolve()).as_posix()}"
        except ValueError:
            return f"sqlite:///{path}"
    user = f"{url.username}@" if url.username else ""
    port = f":{url.port}" if url.port else ""
    return f"{backend}://{user}{url.host or ''}{port}/{url.database or ''}"


def recorded_gradebook(root: Path) -> dict[str, str] | None:
    """The course folder's record of its gradebook, or None before the first use."""
    path = root / GRADEBOOK_RECORD
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ConfigurationError(
            f"{path} cannot be read ({exc}). It records which gradebook this course uses: restore it "
            "from your backup, or delete it if you are sure which gradebook is the course's.") from None
    if not isinstance(data, dict) or not isinstance(data.get("gradebook"), str):
        raise ConfigurationError(f"{path} is damaged: it should say which gradebook this course uses. Restore it "
                                 "from your backup, or delete it if you are sure which gradebook is the course's.")
    return {str(k): str(v) for k, v in data.items()}


def _how_to_reach(identity: str) -> str:
    """What to set to reach the recorded gradebook, with a placeholder for its password."""
    if identity.startswith("sqlite:"):
        return (f"unset {DB_URL_VARIABLE} (and give no --db-url) to use the course's SQLite gradebook, or set "
                f"{DB_URL_VARIABLE} to it")
    scheme, _, rest = identity.partition("://")
    user, at, place = rest.rpartition("@")
    example = f"{scheme}://{user}:PASSWORD@{place}" if at else identity
    return f"set it first: export {DB_URL_VARIABLE}='{example}' (or pass --db-url with that URL)"


def check_gradebook(root: Path, db_url: str) -> None:
    """Stop unless ``db_url`` is the gradebook this course folder recorded (if it recorded one)."""
    record = recorded_gradebook(root)
    if record is None:
        return
    wanted, given = record["gradebook"], gradebook_identity(db_url, root)
    if wanted == given:
        return
    when = f" on {record['recorded'][:10]}" if record.get("recorded") else ""
    empty = " (a second, empty gradebook)" if given == f"sqlite:///{SQLITE_FILE}" else ""
    raise ConfigurationError(
        f"This course's gradebook is {wanted} (recorded in {root / GRADEBOOK_RECORD}{when}), but this command "
        f"would use {given}{empty}. To use the course's gradebook, {_how_to_reach(wanted)}. If you moved the "
        f"gradebook on purpose, delete {GRADEBOOK_RECORD} and run the command again.")


def record_gradebook(root: Path, db_url: str) -> None:
    """Record, the first time, which gradebook this course folder uses (never the password)."""
    if (root / GRADEBOOK_RECORD).exists():
        return
    atomic.write_text(root / GRADEBOOK_RECORD, json.dumps({
        "gradebook": gradebook_identity(db_url, root),
        "recorded": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "why": ("The gradebook this course folder uses (no password is kept here). exocourse, nbgrader and "
                "Formgrader stop when pointed at another one. Delete this file only after moving the "
                "gradebook on purpose."),
    }, indent=1) + "\n")


class GradebookStop(SystemExit):
    """Raised by nbgrader_config.py to stop nbgrader with a message. traitlets would log
    any ordinary exception from a config file and carry on with nbgrader's defaults, which
    means a new, empty gradebook.db: a SystemExit is the one thing it lets through."""


def nbgrader_db_url(root: str | Path) -> str:
    """The gradebook URL for ``nbgrader_config.py``: ``EXOCOURSE_DB_URL`` (or the course's
    SQLite file), normalised, and checked against the course folder's record, so that
    ``nbgrader`` commands and Formgrader use the same gradebook as exocourse or stop."""
    folder = Path(root)
    given = os.environ.get(DB_URL_VARIABLE)
    url = given or default_db_url(folder)
    if _exocourse_reading_config:
        return url          # exocourse applies --db-url, then normalises and checks
    ensure_tools_on_path()  # nbgrader runs alembic when it creates a gradebook
    try:
        url = normalise_db_url(url)
        check_gradebook(folder, url)
        # nbgrader opens the gradebook later, out of reach: record it now when it is
        # surely the course's (named on purpose, or the SQLite file already in use).
        if given or (folder / SQLITE_FILE).exists():
            record_gradebook(folder, url)
    except ConfigurationError as problem:
        raise GradebookStop(f"nbgrader (course folder {folder}): {problem}") from None
    return url


def open_course(root: Path | str = DEFAULT_ROOT, db_url: str | None = None) -> CourseDir:
    """Open the course directory ``root``; ``db_url`` overrides the configured gradebook.

    Stops (ConfigurationError) when the URL's driver is missing, or when the URL is not
    the gradebook the course folder recorded (see ``check_gradebook``)."""
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
    url = normalise_db_url(str(course_dir_config.get("db_url") or default_db_url(path)))
    check_gradebook(path, url)
    config.CourseDirectory.db_url = url
    course_id = str(course_dir_config.get("course_id") or "default_course")
    ensure_tools_on_path()
    return CourseDir(root=path, config=config, course_id=course_id, db_url=url)
