"""exocourse: the instructor's command, a thin layer over ``course.instructor``.

Each subcommand is a small function ``run_<name>(args) -> int`` plus a ``add_<name>``
that registers its parser; ``COMMANDS`` lists them in the order ``--help`` shows.
Adding a command is adding one pair and one line to ``COMMANDS``.

Every command prints what it did and exits non-zero only when it could not do its job.
A ``CourseError`` becomes a one-line message (exit 2); nothing prints a traceback.

``--course-dir`` and ``--db-url`` may be given before or after the subcommand: ``build_parser``
adds them to every subcommand's parser too (without a default there, so that a value given
before the subcommand is kept unless one is given after it).
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from course._errors import CourseError

if TYPE_CHECKING:
    from course.instructor.coursedir import CourseDir

Runner = Callable[[argparse.Namespace], int]
EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2


# Options every command accepts, before or after its name: (flags, keyword arguments).
GLOBAL_OPTIONS: list[tuple[tuple[str, ...], dict[str, object]]] = [
    (("--course-dir",), {"type": Path, "default": Path("grading"), "metavar": "DIR",
                         "help": "the nbgrader course folder, the one with nbgrader_config.py and source/ "
                                 "(default: grading/)"}),
    (("--db-url",), {"default": None, "metavar": "URL",
                     "help": "the gradebook database, e.g. postgresql://grader:PASSWORD@host/exocourse "
                             "(default: $EXOCOURSE_DB_URL, else the SQLite file gradebook.db in the course folder)"}),
]
ID_HELP = "given by its id (e.g. 01_exosome_biology) or its module number (e.g. 01)"


def _course(args: argparse.Namespace) -> CourseDir:
    from course.instructor.coursedir import open_course  # lazy: `exocourse --help` stays fast

    return open_course(args.course_dir, args.db_url)


# ---------------------------------------------------------------- release

def add_release(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("release", help="build learners' copies of assessments into release/",
                       description="Build the learners' copy of each assessment (no answers in it) into "
                                   "release/<id>/assessment.ipynb, ready to give learners through your LMS.")
    p.add_argument("ids", nargs="*", metavar="ID", help=f"assessments to release (default: all), each {ID_HELP}")
    p.add_argument("--due", metavar="WHEN", default=None,
                   help="the due date, e.g. '2026-12-15 17:00' (your computer's time zone unless you add one, "
                        "e.g. '2026-12-15T17:00+00:00'); kept in the gradebook, where intake flags late work "
                        "and nbgrader export shows it")
    p.set_defaults(run=run_release)


def run_release(args: argparse.Namespace) -> int:
    from course.instructor.release import release

    course = _course(args)
    due = None
    if args.due:
        from course.instructor.duedates import parse_due_date

        due = parse_due_date(args.due)            # a typo stops here, before anything is released
    for r in release(course, args.ids):
        print(f"released  {r.assessment}: {r.items} autograded items ({r.autograded_points:g} marks) "
              f"+ reflection ({r.manual_points:g} marks) → {r.notebook}")
        if due is not None:
            from course.instructor.duedates import describe, set_due_date

            set_due_date(course, r.assessment, due)
            print(f"due       {r.assessment}: {describe(due)}")
    return EXIT_OK


# ---------------------------------------------------------------- intake

def add_intake(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("intake", help="check learners' notebooks (a folder or an LMS .zip) and file them "
                                      "under submitted/",
                       description="Take the learners' notebooks as your LMS gives them and file them for "
                                   "grading. Canvas and Moodle 'download all submissions' archives (the .zip, "
                                   "or the folder it unpacks to) are recognised by their file names: the LMS's "
                                   "participant ids keep two learners with one name apart, and each learner "
                                   "keeps the same id in every batch (learner-ids.json in the course folder). "
                                   "Late submissions are flagged against the due date set with "
                                   "`exocourse release ID --due WHEN`. Bad files are rejected one by one with "
                                   "their reason; the rest of the batch goes on.")
    p.add_argument("directory", type=Path, metavar="DOWNLOAD",
                   help="the LMS download: a .zip file, or a folder (DIR/<learner>.ipynb, DIR/<learner>/<any>.ipynb, "
                        "or Canvas's and Moodle's own file and folder names)")
    p.add_argument("--assessment", required=True, metavar="ID", help=f"which assessment these are, {ID_HELP}")
    p.add_argument("--id-pattern", metavar="REGEX",
                   help="only for names neither Canvas nor Moodle uses: a regular expression that finds the learner "
                        "id in each file's path (group 'id' or 'student_id', or the first group; an optional group "
                        "'timestamp' gives the submission time), e.g. '^(?P<id>[^_]+)_'")
    p.add_argument("--max-mb", type=float, default=None,
                   help="size limit per notebook in MB (default 20); larger files are rejected unread")
    p.set_defaults(run=run_intake)


def run_intake(args: argparse.Namespace) -> int:
    from course.instructor.intake import ACCEPTED, DEFAULT_MAX_MB, REJECTED, REPAIRED, intake

    result = intake(_course(args), args.directory, args.assessment, args.id_pattern,
                    args.max_mb or DEFAULT_MAX_MB)
    for entry in result.entries:
        print(entry.line(args.directory))
    late = f", {result.late} late" if result.late else ""
    print(f"intake    {result.assessment}: {result.count(ACCEPTED)} accepted, {result.count(REPAIRED)} repaired, "
          f"{result.count(REJECTED)} rejected{late}")
    print(f"          {result.due_note}")
    # Rejecting bad files is intake doing its job; only "nothing at all to take" is a failure.
    return EXIT_OK if result.entries else EXIT_FAILED


# ---------------------------------------------------------------- autograde

def add_autograde(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("autograde", help="grade every submitted learner from the key, running nothing",
                       description="Grade the submissions filed by intake (submitted/<learner>/<id>/) with "
                                   "nbgrader's autograder as grading/nbgrader_config.py sets it up: each answer "
                                   "line is read as text and scored against assessments/<id>.yml; no learner "
                                   "code runs and no kernel starts. The scores go into the gradebook. Grading a "
                                   "learner again replaces their scores (a reflection you have marked keeps its "
                                   "mark).")
    p.add_argument("assessment", metavar="ID", help=f"the assessment to grade, {ID_HELP}")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="accepted for older scripts and ignored: with no kernels to wait for, learners are "
                        "graded one after another")
    p.add_argument("--learner", action="append", dest="learners", metavar="LEARNER",
                   help="grade only this learner, by the id intake gave them (repeatable)")
    p.set_defaults(run=run_autograde)


def run_autograde(args: argparse.Namespace) -> int:
    from course.instructor.autograde import autograde

    if args.workers is not None and args.workers < 1:
        raise CourseError("--workers must be 1 or more.")
    result = autograde(_course(args), args.assessment, workers=args.workers, learners=args.learners,
                       progress=sys.stderr)
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
    p = sub.add_parser("feedback", help="write an HTML feedback page per learner (their answers and marks, no key)",
                       description="Write feedback/<learner>/<id>/assessment.html for every graded learner, "
                                   "to return through your LMS: their own answers, the final marks (your "
                                   "overrides included), pass or not by the syllabus, and the lesson sections "
                                   "to revisit for each missed question. Never a key, solution or marking guide: "
                                   "every page is checked and one that fails is deleted and listed.")
    p.add_argument("assessment", metavar="ID", help=f"the assessment, {ID_HELP}")
    p.add_argument("--hold-unmarked", action="store_true",
                   help="do not write (and remove any earlier) pages of learners whose written reflection "
                        "is not marked yet; run again once you have marked them in Formgrader")
    p.add_argument("--learner", action="append", metavar="LEARNER", dest="learners",
                   help="only this learner (repeat for several); default: every autograded learner")
    p.set_defaults(run=run_feedback)


def run_feedback(args: argparse.Namespace) -> int:
    from course.instructor.feedback import feedback

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            sys.stderr.write(f"\rfeedback  {done}/{total} learners" + ("\n" if done == total else ""))

    result = feedback(_course(args), args.assessment, learners=args.learners, hold_unmarked=args.hold_unmarked,
                      progress=progress)
    for page in result.files:
        if page.path:
            print(f"written   {page.learner}: {page.path}" + ("  (reflection not yet marked)" if page.unmarked else ""))
        elif page.status == "held":
            print(f"held      {page.learner}: {page.problem}")
        else:
            print(f"failed    {page.learner}: {page.problem}")
    print(f"feedback  {result.assessment}: {len(result.written)} pages, {len(result.failed)} failed, "
          f"{len(result.held)} held back")
    if result.unmarked:
        names = ", ".join(p.learner for p in result.unmarked[:10]) + (" ..." if len(result.unmarked) > 10 else "")
        print(f"warning   {len(result.unmarked)} page(s) went out with the reflection not yet marked ({names}): "
              "they say so. Mark the reflections in Formgrader and run this again, or use --hold-unmarked "
              "to keep such pages back.", file=sys.stderr)
    return EXIT_OK if result.written or (result.held and not result.failed) else EXIT_FAILED


# ---------------------------------------------------------------- report

def add_report(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="grades, item analysis and the LMS grade-import files, from the gradebook",
                       description="Write reports/grades.csv (per learner: scores, pass/fail, CPD minutes), "
                                   "reports/items.html (how each question performed), and the files your LMS "
                                   "imports grades from: reports/lms/canvas-grades.csv and "
                                   "reports/lms/moodle-<id>.csv (for learners whose download came from that LMS).")
    p.set_defaults(run=run_report)


def run_report(args: argparse.Namespace) -> int:
    from course.instructor.report import write_report

    report = write_report(_course(args))
    flagged = [s for s in report.items if s.flags]
    print(f"report    {report.learners} learners → {report.grades_csv}")
    print(f"report    {len(report.items)} items, {len(flagged)} flagged → {report.items_html}")
    for s in flagged:
        print(f"          {s.assessment} Q{s.number}: {'; '.join(s.flags)}")
    for lms_file in report.lms_files:
        print(f"report    {lms_file.describe()}")
    return EXIT_OK


# ---------------------------------------------------------------- demo

def add_demo(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="run the whole pipeline on a synthetic cohort in a temporary course",
                       description="Try the workflow safely: build a new course folder and run release, intake, "
                                   "autograde, marking, feedback and report on invented learners. Your own course "
                                   "folder is only read.")
    p.add_argument("--learners", type=int, default=30, help="learners per assessment (default 30)")
    p.add_argument("--assessment", action="append", dest="assessments", metavar="ID",
                   help=f"only this assessment (repeatable; default: all five), {ID_HELP}")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="learners graded at once (default: the number of cores)")
    p.add_argument("--output", type=Path, default=None, metavar="DIR",
                   help="where to build the demo course (default: a new temporary folder)")
    p.set_defaults(run=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    from course.instructor.demo import run_demo as demo

    if args.learners < 3:
        raise CourseError("--learners must be at least 3 for the item analysis to mean anything.")
    demo(_course(args), args.output, args.learners, args.assessments, args.workers)
    return EXIT_OK


# ---------------------------------------------------------------- certificates, verify

def add_certificates(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("certificates", help="issue a signed PDF certificate to every learner who passed every assessment")
    p.add_argument("--key-file", type=Path, default=None, metavar="FILE",
                   help="the private signing key (default: $EXOCOURSE_CERTIFICATE_KEY or "
                        "~/.config/exosome-reality-check/certificate-signing-key.pem; created on first use)")
    p.add_argument("--roster", type=Path, default=None, metavar="CSV",
                   help="learner,name,registration for each learner (default: learners.csv in the course folder)")
    p.add_argument("--verify-url", default=None, metavar="URL",
                   help="where you publish certificates/verify.html; the QR codes link to it (remembered for later runs)")
    p.set_defaults(run=run_certificates)


def run_certificates(args: argparse.Namespace) -> int:
    from course.instructor.certificates import (
        ROSTER_FILE,
        certificate_pdf_path,
        issue_certificates,
        learners_from_gradebook,
        read_roster,
    )

    course = _course(args)
    learners, names = learners_from_gradebook(course)
    roster = read_roster(args.roster or course.root / ROSTER_FILE)
    report = issue_certificates(course.root, learners, roster, args.key_file, gradebook_names=names,
                                verify_url=args.verify_url)
    for e in report.issued:
        print(f"issued    {e.learner_id}: certificate {e.credential.certificate_id} → "
              f"{certificate_pdf_path(course.root, e.learner_id)}")
    for e in report.already_issued:
        print(f"held      {e.learner_id}: already has certificate {e.credential.certificate_id} (issued "
              f"{e.credential.valid_from}); no duplicate issued")
    for learner, why in report.not_eligible:
        print(f"not yet   {learner}: {why}")
    print(f"certificates: {len(report.issued)} issued, {len(report.already_issued)} already held, "
          f"{len(report.not_eligible)} not eligible → register {report.register}")
    if report.public:
        print(f"public    {report.public.verify_page} checks codes in a browser; publish it with "
              f"{report.public.public_key.name}, {report.public.revocations.name} and "
              f"{report.public.achievements.name} from the same folder")
    return EXIT_OK


def add_verify(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("verify", help="check a certificate code with the public key: exit 0 when genuine, 1 when not")
    p.add_argument("code", nargs="+", metavar="CODE", help="the code printed on the certificate (all its lines), "
                                                         "or the link in its QR code")
    p.add_argument("--public-key", type=Path, default=None, metavar="FILE",
                   help="the course's public-key.pem (default: certificates/public-key.pem in the course folder); "
                        "revoked.json and achievements.json beside it are read too")
    p.add_argument("--revocations", type=Path, default=None, metavar="FILE",
                   help="the course's revoked.json, if it is not beside the public key")
    p.add_argument("--json", action="store_true", help="print the certificate as JSON (Verifiable Credential shape)")
    p.set_defaults(run=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    import json

    from course.instructor.certificates import course_public_key, load_published, verify_code
    from course.instructor.certificates.verification import proof_value

    public_key = args.public_key or course_public_key(args.course_dir)
    if args.public_key is None and not public_key.exists():
        raise CourseError(f"There is no public key at {public_key}. Give the course's public key file with "
                          "--public-key FILE (the public-key.pem its provider publishes).")
    result = verify_code(" ".join(args.code), load_published(public_key, args.revocations))
    if args.json and result.credential is not None:
        print(json.dumps(result.credential.document(result.achievement, proof_value(result.code))
                         | {"verified": result.genuine, "verification": result.reason if not result.genuine else "genuine"},
                         ensure_ascii=False, indent=2))
    else:
        print(result.describe())
    return EXIT_OK if result.genuine else EXIT_FAILED


def add_revoke(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("revoke", help="withdraw a certificate (by its code or certificate number), with a reason")
    p.add_argument("certificate", nargs="+", metavar="CERTIFICATE", help="the certificate number (XXXXX-XXXXX) or code")
    p.add_argument("--reason", required=True, help="why: verifiers are shown it")
    p.add_argument("--superseded", action="store_true",
                   help="a corrected certificate replaces it (the next `exocourse certificates` issues one)")
    p.add_argument("--key-file", type=Path, default=None, metavar="FILE", help="the private signing key")
    p.set_defaults(run=run_revoke)


def run_revoke(args: argparse.Namespace) -> int:
    from course.instructor.certificates import revoke

    change = revoke(args.course_dir, " ".join(args.certificate), args.reason, args.superseded, args.key_file)
    print(f"revoke    {change.summary}")
    print(f"public    republish {change.public.revocations} and {change.public.verify_page}")
    return EXIT_OK


def add_certificate_key(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("certificate-key", help="show, rotate or withdraw the certificate signing key")
    p.add_argument("action", choices=["show", "rotate", "withdraw"],
                   help="show: where the signing key is and which public keys are published; rotate: make a new "
                        "signing key (the old one is kept for verifying); withdraw: revoke an old key by its id")
    p.add_argument("key_id", nargs="?", default=None, metavar="KEY_ID", help="for withdraw: the old key's id")
    p.add_argument("--reason", default="", help="for withdraw: why (e.g. the key may have been read by someone else)")
    p.add_argument("--lost", action="store_true", help="for rotate: the old private key is lost; only make a new one")
    p.add_argument("--key-file", type=Path, default=None, metavar="FILE", help="the private signing key")
    p.set_defaults(run=run_certificate_key)


def run_certificate_key(args: argparse.Namespace) -> int:
    from course.instructor.certificates import course_public_key, key_path, rotate_key, withdraw_key
    from course.instructor.certificates.keys import read_key_ring

    if args.action == "show":
        print(f"key       private signing key: {key_path(args.key_file)}"
              f"{'' if key_path(args.key_file).exists() else ' (not created yet)'}")
        public = course_public_key(args.course_dir)
        if public.exists():
            ring = read_key_ring(public)
            print(f"key       public keys in {public}: " + ", ".join(
                f"{k.key_id} ({'current' if n == 0 else 'retired'})" for n, k in enumerate(ring.keys)))
        return EXIT_OK
    if args.action == "rotate":
        change = rotate_key(args.course_dir, args.key_file, lost=args.lost)
    else:
        if not args.key_id:
            raise CourseError("Say which key to withdraw: exocourse certificate-key withdraw KEY_ID --reason TEXT")
        change = withdraw_key(args.course_dir, args.key_id, args.reason, args.key_file)
    print(f"key       {change.summary}")
    print(f"public    republish the files in {change.public.public_key.parent} (public-key.pem, revoked.json, "
          "verify.html)")
    return EXIT_OK


# ---------------------------------------------------------------- forget, export-learner

def add_forget(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("forget", help="erase a learner from gradebook, submissions, feedback and reports",
                       description="Erase everything the course folder holds about one learner: their gradebook "
                                   "record (grades, comments), submitted/, autograded/ and feedback/ folders, their "
                                   "rows in reports/*.csv and learners.csv, their certificate PDF, their entry in "
                                   "learner-ids.json, and any other file named after them (e.g. an intake "
                                   "folder's copy of their notebook). It keeps their certificate register line, so "
                                   "a certificate they hold can still be verified, and lists any file it could not "
                                   "remove or that still mentions them.")
    p.add_argument("learner", metavar="LEARNER_ID",
                   help="the learner's id as intake gave it (their folder name under submitted/)")
    p.set_defaults(run=run_forget)


def run_forget(args: argparse.Namespace) -> int:
    from course.instructor.privacy import forget

    result = forget(_course(args), args.learner)
    if not result.found:
        print(f"forget    nothing is held about {args.learner!r} in {args.course_dir} (check the id: it is the "
              "learner's folder name under submitted/)")
    for line in result.removed:
        print(f"removed   {line}")
    for line in result.kept:
        print(f"kept      {line}")
    for line in result.not_removed:
        print(f"not removed {line}")
    for path in result.still_mentioned_in:
        print(f"check     {path} still mentions {args.learner!r}: remove it by hand if it is about this learner")
    return EXIT_OK


def add_export_learner(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export-learner", help="write everything held about a learner as JSON",
                       description="Write a subject-access copy: everything the course folder holds about one "
                                   "learner, as one JSON file.")
    p.add_argument("learner", metavar="LEARNER_ID",
                   help="the learner's id as intake gave it (their folder name under submitted/)")
    p.add_argument("--output", type=Path, default=None, metavar="FILE",
                   help="where to write the JSON (default: LEARNER_ID-data.json in the current folder)")
    p.set_defaults(run=run_export_learner)


def run_export_learner(args: argparse.Namespace) -> int:
    from course.instructor.privacy import holds_anything, write_export

    path, data = write_export(_course(args), args.learner, args.output or Path(f"{args.learner}-data.json"))
    if not holds_anything(data):
        print(f"export    nothing is held about {args.learner!r} (an empty export was written to {path})")
        return EXIT_FAILED
    print(f"export    {args.learner}: {len(data['files'])} files, "
          f"{len((data['gradebook'] or {}).get('submissions', []))} graded submissions, "
          f"{len(data['certificates'])} certificates → {path}")
    return EXIT_OK


# ---------------------------------------------------------------- publish

def add_publish(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("publish", help="write the learner edition (no solutions, no gradebook) into DIR",
                       description="Write the course as learners receive it (lessons, released assessments, the "
                                   "library) into DIR, after checking that no answer is anywhere in it.")
    p.add_argument("directory", type=Path, metavar="DIR",
                   help="a new or empty folder outside the repository, or an earlier edition (replaced)")
    p.set_defaults(run=run_publish)


def run_publish(args: argparse.Namespace) -> int:
    from course.instructor.publish import publish

    edition = publish(args.directory)
    print(f"publish   {len(edition.files)} files, {len(edition.assessments)} released assessments → {edition.path}")
    print(f"publish   leak audit: none of {edition.secrets_checked} secrets (answer keys, solution lines, marking "
          "guides, model answers) is anywhere in the edition, archives and every text encoding included")
    return EXIT_OK


# ---------------------------------------------------------------- check-content

def add_check_content(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check-content", help="check the self-check banks and assessments for item-writing faults",
                       description="Check every self-check bank (course/content/questions) and graded assessment "
                                   "(grading/assessments) for answer-position and length cues, graded items that "
                                   "repeat a self-check, choice items with fewer than three options, keys that "
                                   "disagree with their options, objectives without a formative or a summative "
                                   "item, and citation keys that are not in the vetted list. Each finding names "
                                   "the file, the item and the fix; the exit status is 1 when there is any.")
    p.add_argument("--banks", type=Path, default=None, metavar="DIR",
                   help="folder of question banks (default: the course's course/content/questions)")
    p.add_argument("--assessments", type=Path, default=None, metavar="DIR",
                   help="folder of assessment YAML files (default: the project's grading/assessments)")
    p.set_defaults(run=run_check_content)


def run_check_content(args: argparse.Namespace) -> int:
    from course.instructor.content_check import check_content, default_assessments_dir

    assessments = args.assessments or default_assessments_dir()
    report = check_content(args.banks, assessments)
    for finding in report.findings:
        print(f"{finding.check:<9} {finding}")
    summary = ", ".join(f"{n} {check}" for check, n in sorted(report.by_check().items())) or "no findings"
    graded = f"{len(report.summative)} graded items" if assessments else "no assessments found (banks only)"
    print(f"check-content: {len(report.formative)} self-check questions, {graded}: {summary}")
    return EXIT_OK if report.ok else EXIT_FAILED


# ---------------------------------------------------------------- the command

COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    add_release, add_intake, add_autograde, add_feedback, add_report, add_demo,
    add_certificates, add_verify, add_revoke, add_certificate_key, add_forget, add_export_learner, add_publish,
    add_check_content,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="exocourse", description="Grade the Exosome Reality Check assessments with nbgrader: release, "
                                      "intake, autograde, feedback, report, certificates. "
                                      "`exocourse COMMAND --help` says what each command does.")
    for flags, options in GLOBAL_OPTIONS:
        parser.add_argument(*flags, **options)  # type: ignore[arg-type]
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in COMMANDS:
        add(sub)
    for command in sub.choices.values():     # every command, whoever added it, takes them after its name too
        present = {flag for action in command._actions for flag in action.option_strings}
        for flags, options in GLOBAL_OPTIONS:
            if not present.intersection(flags):
                command.add_argument(*flags, **{**options, "default": argparse.SUPPRESS})  # type: ignore[arg-type]
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
