"""exocourse: the instructor's command, a thin layer over ``course.instructor``.

Each subcommand is a small function ``run_<name>(args) -> int`` plus a ``add_<name>``
that registers its parser; ``COMMANDS`` lists them in the order ``--help`` shows.
Adding a command is adding one pair and one line to ``COMMANDS``.

Every command prints what it did and exits non-zero only when it could not do its job.
A ``CourseError`` becomes a one-line message (exit 2); nothing prints a traceback.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from course.errors import CourseError

Runner = Callable[[argparse.Namespace], int]
EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2


def _course(args: argparse.Namespace):  # -> CourseDir (import kept lazy for a fast --help)
    from course.instructor.coursedir import open_course

    return open_course(args.course_dir, args.db_url)


# ---------------------------------------------------------------- release

def add_release(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("release", help="build learners' copies of assessments into release/")
    p.add_argument("ids", nargs="*", metavar="ID", help="assessments to release (default: all), e.g. 01")
    p.set_defaults(run=run_release)


def run_release(args: argparse.Namespace) -> int:
    from course.instructor.release import release

    course = _course(args)
    for r in release(course, args.ids):
        print(f"released  {r.assessment}: {r.items} autograded items ({r.autograded_points:g} marks) "
              f"+ reflection ({r.manual_points:g} marks) → {r.notebook}")
    return EXIT_OK


# ---------------------------------------------------------------- intake

def add_intake(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("intake", help="check learners' notebooks and file them under submitted/")
    p.add_argument("directory", type=Path, metavar="DIR",
                   help="folder of submissions: DIR/<learner>.ipynb or DIR/<learner>/<any>.ipynb")
    p.add_argument("--assessment", required=True, metavar="ID", help="which assessment these are, e.g. 01")
    p.add_argument("--id-pattern", metavar="REGEX",
                   help="regular expression that finds the learner id in an LMS download's file name "
                        "(group 'id', or the first group), e.g. '^(?P<id>[^_]+)_'")
    p.add_argument("--max-mb", type=float, default=None, help="size limit per notebook in MB (default 20)")
    p.set_defaults(run=run_intake)


def run_intake(args: argparse.Namespace) -> int:
    from course.instructor.intake import ACCEPTED, DEFAULT_MAX_MB, REJECTED, REPAIRED, intake

    result = intake(_course(args), args.directory, args.assessment, args.id_pattern,
                    args.max_mb or DEFAULT_MAX_MB)
    for entry in result.entries:
        print(entry.line(args.directory))
    print(f"intake    {result.assessment}: {result.count(ACCEPTED)} accepted, {result.count(REPAIRED)} repaired, "
          f"{result.count(REJECTED)} rejected")
    # Rejecting bad files is intake doing its job; only "nothing at all to take" is a failure.
    return EXIT_OK if result.entries else EXIT_FAILED


# ---------------------------------------------------------------- autograde

def add_autograde(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("autograde", help="grade every submitted learner with nbgrader, N at a time")
    p.add_argument("assessment", metavar="ID")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="learners graded at once (default: the number of cores)")
    p.add_argument("--learner", action="append", dest="learners", metavar="LEARNER",
                   help="grade only this learner (repeatable)")
    p.set_defaults(run=run_autograde)


def run_autograde(args: argparse.Namespace) -> int:
    from course.instructor.autograde import autograde

    if args.workers is not None and args.workers < 1:
        raise CourseError("--workers must be 1 or more.")
    result = autograde(_course(args), args.assessment, workers=args.workers, learners=args.learners)
    for grade in result.learners:
        notes = f"  ({'; '.join(grade.notes)})" if grade.notes else ""
        print(f"{grade.status:<9} {grade.learner}: {grade.score:g}/{grade.max_score:g}{notes}")
    failed = len(result.failed)
    print(f"autograde {result.assessment}: {len(result.learners) - failed} graded, {failed} failed, "
          f"{result.workers} workers, {result.seconds:.1f} s")
    # One learner's broken notebook is reported above; only grading nobody is a failure.
    return EXIT_FAILED if failed == len(result.learners) else EXIT_OK


# ---------------------------------------------------------------- feedback

def add_feedback(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("feedback", help="write an HTML feedback page per learner (no hidden tests)")
    p.add_argument("assessment", metavar="ID")
    p.set_defaults(run=run_feedback)


def run_feedback(args: argparse.Namespace) -> int:
    from course.instructor.feedback import feedback

    result = feedback(_course(args), args.assessment)
    for page in result.files:
        print(f"written   {page.learner}: {page.path}" if page.path else f"failed    {page.learner}: {page.problem}")
    print(f"feedback  {result.assessment}: {len(result.written)} pages, {len(result.failed)} failed")
    return EXIT_OK if result.written else EXIT_FAILED


# ---------------------------------------------------------------- report

def add_report(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="reports/grades.csv and reports/items.html from the gradebook")
    p.set_defaults(run=run_report)


def run_report(args: argparse.Namespace) -> int:
    from course.instructor.report import write_report

    report = write_report(_course(args))
    flagged = [s for s in report.items if s.flags]
    print(f"report    {report.learners} learners → {report.grades_csv}")
    print(f"report    {len(report.items)} items, {len(flagged)} flagged → {report.items_html}")
    for s in flagged:
        print(f"          {s.assessment} Q{s.number}: {'; '.join(s.flags)}")
    return EXIT_OK


# ---------------------------------------------------------------- demo

def add_demo(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="run the whole pipeline on a synthetic cohort in a temporary course")
    p.add_argument("--learners", type=int, default=30, help="learners per assessment (default 30)")
    p.add_argument("--assessment", action="append", dest="assessments", metavar="ID",
                   help="only this assessment (repeatable; default: all five)")
    p.add_argument("--workers", type=int, default=None, metavar="N")
    p.add_argument("--output", type=Path, default=None, metavar="DIR",
                   help="where to build the demo course (default: a new temporary folder)")
    p.set_defaults(run=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    from course.instructor.demo import run_demo as demo

    if args.learners < 3:
        raise CourseError("--learners must be at least 3 for the item analysis to mean anything.")
    demo(_course(args), args.output, args.learners, args.assessments, args.workers)
    return EXIT_OK


# ---------------------------------------------------------------- the command

COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    add_release, add_intake, add_autograde, add_feedback, add_report, add_demo,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="exocourse", description="Grade the Exosome Reality Check assessments with nbgrader.")
    parser.add_argument("--course-dir", type=Path, default=Path("grading"), metavar="DIR",
                        help="the nbgrader course folder (default: grading/)")
    parser.add_argument("--db-url", default=None, metavar="URL",
                        help="gradebook database URL (default: from nbgrader_config.py, SQLite)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in COMMANDS:
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Runner | None = getattr(args, "run", None)
    if run is None:
        parser.print_help()
        return EXIT_ERROR
    try:
        return run(args)
    except CourseError as exc:
        print(f"exocourse {args.command}: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"exocourse {args.command}: stopped.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
