"""The demo: a synthetic cohort taken through the whole pipeline in a temporary course.

``run_demo`` copies the course's ``source/`` and configuration into a new folder, releases
the assessments, writes a cohort of learners' notebooks (strong, middling and weak
learners with varied answers, plus a few broken files, as an instructor really receives
them), and runs intake, autograde, a simulated marking of reflections, feedback and the
report, saying what each step did and where its output is. It ends with the certificates:
a roster of (fictional) names, a certificate for each learner who passed everything
(a few always do), and one of them checked with nothing but the public key.

The cohort builders (``fill_answers``, ``synthetic_answers``) are also what the tests use
to make submissions with known scores.
"""
from __future__ import annotations

import copy
import json
import random
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.instructor.assessments import Assessment, load_assessment, nbgrader_meta, read_notebook_json, solutions
from course.instructor.coursedir import CONFIG_FILE, CourseDir, open_course

DEFAULT_LEARNERS = 30
PASSING_LEARNERS = 3   # the strongest learners answer every item right, so the demo issues certificates

# Fictional learners for the demo's roster. The strongest three get the first three names, so
# the certificates show an accented and a CJK name as well as a plain one.
DEMO_NAMES = ("Dr Amara Okafor", "Dr Zoë Ó Súilleabháin", "王芳", "Tomás Ruiz", "Priya Natarajan", "Lukas Müller",
              "Aiko Tanaka", "Chidi Eze", "Sofia Rossi", "Dr Mateo García", "Hannah Cohen", "Nguyễn Thị Hoa",
              "Olga Petrova", "Kwame Mensah", "Élise Moreau", "Fatima Khan", "Dr Sean Murphy", "Ingrid Johansson",
              "Ravi Patel", "Mei Lin", "Dr Grace Adeyemi", "Jakub Nowak", "Leila Haddad", "Björn Larsen",
              "Ana Souza", "Dr Yusuf Demir", "Camille Dubois", "Emma Wilson", "Kenji Sato", "Maria Papadopoulou")


@dataclass(frozen=True)
class DemoStep:
    name: str
    summary: str
    output: Path | None = None


@dataclass(frozen=True)
class DemoResult:
    root: Path
    steps: tuple[DemoStep, ...] = field(default_factory=tuple)
    certificates: tuple[Path, ...] = ()      # the PDFs issued
    verify_page: Path | None = None
    verified_code: str = ""                  # the code checked with the public key alone


# ---------------------------------------------------------------- making submissions

def answer_line(variable: str, value: str) -> str:
    return f"{variable} = {json.dumps(value, ensure_ascii=False)}"


def fill_answers(release: dict[str, Any], assessment: Assessment, answers: dict[int, str]) -> dict[str, Any]:
    """A copy of the released notebook with ``answers`` (item number → text) typed in."""
    notebook = copy.deepcopy(release)
    cells = {nbgrader_meta(c).get("grade_id"): c for c in notebook["cells"]}
    for item in assessment.items:
        if item.number in answers and item.answer_cell in cells:
            cells[item.answer_cell]["source"] = answer_line(item.variable, answers[item.number])
    return notebook


def fill_reflection(notebook: dict[str, Any], assessment: Assessment, text: str) -> None:
    if assessment.reflection is None:
        return
    for cell in notebook["cells"]:
        if nbgrader_meta(cell).get("grade_id") == assessment.reflection.grade_id:
            cell["source"] = text


def wrong_answer(item: Any, right: str, rng: random.Random) -> str:
    """A plausible wrong answer to ``item``."""
    if item.kind == "letter":
        return rng.choice([c for c in item.choices if c != right.strip().upper()])
    if item.kind == "letters":
        wanted = {x.strip() for x in right.split(",")}
        while True:
            picked = {c for c in item.choices if rng.random() < 0.5} or {rng.choice(item.choices)}
            if picked != wanted:
                return ", ".join(sorted(picked))
    from course._answers import number

    value = number(right) or 0.0
    return f"{(value or 1.0) * rng.choice([10.0, 0.1, 3.0]):g}"


def synthetic_answers(assessment: Assessment, keyed: dict[int, Any], ability: float,
                      rng: random.Random) -> dict[int, str]:
    """Answers of a learner who gets each item right with probability ``ability``; now and
    then written in another accepted format (lower case, "3 x 10^10"), or left blank."""
    answers: dict[int, str] = {}
    for item in assessment.items:
        right = str(keyed[item.number])
        if rng.random() < 0.03:
            answers[item.number] = ""                      # forgot one
            continue
        value = right if rng.random() < ability else wrong_answer(item, right, rng)
        if item.kind != "number" and rng.random() < 0.2:
            value = value.lower()
        answers[item.number] = value
    return answers


REFLECTION_TEXT = ("I completed this module. I learned to question product claims against the evidence "
                   "and will ask suppliers for their quality documents before using any product.")


# ---------------------------------------------------------------- the demo

def _copy_course(source: CourseDir, root: Path) -> CourseDir:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source.source_dir, root / "source", dirs_exist_ok=True)
    shutil.copytree(source.root / "assessments", root / "assessments", dirs_exist_ok=True)  # the keys (A1)
    shutil.copy2(source.root / CONFIG_FILE, root / CONFIG_FILE)
    return open_course(root, f"sqlite:///{root / 'gradebook.db'}")


def write_cohort(course: CourseDir, assessment_id: str, folder: Path, learners: int,
                 seed: int = 2024) -> dict[str, float]:
    """Write ``learners`` synthetic submissions (and three broken files) into ``folder``;
    return each learner's ability."""
    rng = random.Random(f"{seed}-{assessment_id}")
    assessment = load_assessment(course.source_notebook(assessment_id), assessment_id)
    keyed = solutions(course.source_notebook(assessment_id))
    release = read_notebook_json(course.release_notebook(assessment_id))
    folder.mkdir(parents=True, exist_ok=True)
    abilities: dict[str, float] = {}
    for n in range(1, learners + 1):
        learner = learner_id(n)
        passes_all = n > learners - PASSING_LEARNERS
        ability = 1.0 if passes_all else 0.35 + 0.63 * (n - 1) / max(1, learners - 1)      # weak ... strong
        abilities[learner] = ability
        answers = ({item.number: str(keyed[item.number]) for item in assessment.items} if passes_all
                   else synthetic_answers(assessment, keyed, ability, rng))
        notebook = fill_answers(release, assessment, answers)
        if passes_all or rng.random() < 0.8:
            fill_reflection(notebook, assessment, REFLECTION_TEXT)
        (folder / f"{learner}.ipynb").write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    # What instructors also receive: a damaged download, an empty file, the wrong notebook.
    (folder / "learner-damaged.ipynb").write_text('{"cells": [', encoding="utf-8")
    (folder / "learner-empty.ipynb").write_bytes(b"")
    others = [a for a in course.assessment_ids() if a != assessment_id]
    if others:
        released = course.release_notebook(others[0])
        shutil.copy2(released if released.exists() else course.source_notebook(others[0]),
                     folder / "learner-wrong-assessment.ipynb")
    return abilities


def learner_id(n: int) -> str:
    return f"learner-{n:02d}"


def demo_roster(learners: int) -> list[list[str]]:
    """learner, name, registration for every demo learner (the strongest get DEMO_NAMES' first names)."""
    rows = []
    for n in range(1, learners + 1):
        rank = learners - n                                  # 0 for the strongest learner
        name = DEMO_NAMES[rank % len(DEMO_NAMES)] + (f" {rank // len(DEMO_NAMES) + 1}" if rank >= len(DEMO_NAMES) else "")
        rows.append([learner_id(n), name, f"DEMO-{7000000 + n}"])
    return rows


def issue_demo_certificates(course: CourseDir, learners: int, step: Callable[..., None]) -> DemoResult:
    """Write the roster, issue the certificates, and check one with the public key alone."""
    from course.instructor._csv import write_csv
    from course.instructor.certificates import (
        ROSTER_FILE,
        VERIFY_PAGE,
        certificate_pdf_path,
        issue_certificates,
        learners_from_gradebook,
        load_published,
        read_roster,
        verify_code,
    )

    root = course.root
    write_csv(root / ROSTER_FILE, ["learner", "name", "registration"], demo_roster(learners))
    # A throwaway signing key, outside the course folder as a real one must be (never the instructor's own).
    key_file = Path(tempfile.mkdtemp(prefix="exocourse-demo-key-")) / "certificate-signing-key.pem"
    verify_page = root / "certificates" / VERIFY_PAGE
    graded, names = learners_from_gradebook(course)
    report = issue_certificates(root, graded, read_roster(root / ROSTER_FILE), key_file, gradebook_names=names,
                                verify_url=verify_page.as_uri())
    pdfs = tuple(certificate_pdf_path(root, e.learner_id) for e in report.issued)
    step("certificates", f"{len(report.issued)} issued ({', '.join(e.credential.name for e in report.issued)}), "
                         f"{len(report.not_eligible)} not yet eligible; signed with a demo key in {key_file.parent}",
         root / "certificates")
    if not report.issued or report.public is None:
        return DemoResult(root, certificates=pdfs)
    # What an employer does: an empty folder, the three public files, nothing else.
    verifier = Path(tempfile.mkdtemp(prefix="exocourse-demo-verifier-"))
    for public in (report.public.public_key, report.public.revocations, report.public.achievements):
        shutil.copy2(public, verifier / public.name)
    checked = report.issued[0]
    result = verify_code(checked.code, load_published(verifier / report.public.public_key.name))
    step("verify", f"{checked.credential.name}'s certificate {checked.credential.certificate_id}: "
                   f"{'GENUINE' if result.genuine else 'NOT VERIFIED'}, checked in {verifier} with nothing but "
                   "the public key (as anyone can: exocourse verify CODE --public-key public-key.pem)", verify_page)
    return DemoResult(root, certificates=pdfs, verify_page=verify_page, verified_code=checked.code)


def mark_reflections(course: CourseDir, assessment_id: str, rng: random.Random) -> int:
    """Stand in for the instructor in formgrader: give each written reflection a mark."""
    assessment = load_assessment(course.source_notebook(assessment_id), assessment_id)
    if assessment.reflection is None:
        return 0
    marked = 0
    with course.gradebook() as gb:
        for submission in gb.assignment_submissions(assessment_id):
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.name == assessment.reflection.grade_id and grade.needs_manual_grade:
                        grade.manual_score = float(rng.randint(2, int(assessment.reflection.points)))
                        grade.needs_manual_grade = False
                        marked += 1
        gb.db.commit()
    return marked


def run_demo(source: CourseDir, root: Path | None = None, learners: int = DEFAULT_LEARNERS,
             assessments: list[str] | None = None, workers: int | None = None,
             say: Callable[[str], None] = print) -> DemoResult:
    """Take a synthetic cohort from release to report in a new course folder ``root``."""
    from course.instructor.autograde import autograde
    from course.instructor.feedback import feedback
    from course.instructor.intake import REJECTED, intake
    from course.instructor.release import release
    from course.instructor.report import write_report

    root = Path(root) if root else Path(tempfile.mkdtemp(prefix="exocourse-demo-"))
    course = _copy_course(source, root)
    wanted = [course.resolve(a) for a in assessments] if assessments else course.assessment_ids()
    steps: list[DemoStep] = []

    def step(name: str, summary: str, output: Path | None = None) -> None:
        steps.append(DemoStep(name, summary, output))
        say(f"{name:<12} {summary}" + (f"\n{'':<12} → {output}" if output else ""))

    say(f"Demo course in {root} (SQLite gradebook), {learners} synthetic learners per assessment\n")
    released = release(course, wanted)
    step("release", f"{len(released)} assessment(s), {sum(r.items for r in released)} autograded items",
         course.release_dir)
    rng = random.Random(7)
    for assessment_id in wanted:
        inbox = root / "inbox" / assessment_id
        write_cohort(course, assessment_id, inbox, learners)
        taken = intake(course, inbox, assessment_id)
        rejected = [e for e in taken.entries if e.status == REJECTED]
        step("intake", f"{assessment_id}: {len(taken.learners)} filed, {len(rejected)} rejected "
                       f"({'; '.join(e.file.name + ': ' + e.reason.split(';')[0] for e in rejected)})",
             course.submitted_dir)
        graded = autograde(course, assessment_id, workers=workers, progress=None)
        mean = sum(g.percent for g in graded.learners) / max(1, len(graded.learners))
        step("autograde", f"{assessment_id}: {len(graded.learners) - len(graded.failed)} graded with "
                          f"{graded.workers} workers in {graded.seconds:.0f} s, mean {mean:.0f} %",
             course.autograded_dir)
        marked = mark_reflections(course, assessment_id, rng)
        step("marking", f"{assessment_id}: {marked} reflections marked by a stand-in instructor "
                        "(in real use: nbgrader formgrader)")
        pages = feedback(course, assessment_id)
        step("feedback", f"{assessment_id}: {len(pages.written)} pages, {len(pages.failed)} failed",
             course.feedback_dir)
    report = write_report(course)
    flagged = sum(1 for s in report.items if s.flags)
    step("report", f"{report.learners} learners; {flagged} of {len(report.items)} items flagged for review",
         report.grades_csv)
    say(f"{'':<12} → {report.items_html}")
    issued = issue_demo_certificates(course, learners, step)
    for pdf in issued.certificates:
        say(f"{'':<12} → {pdf}")
    if issued.verify_page is not None:
        say(f"{'':<12} Open the verification page (works offline) with the certificate's code:\n"
            f"{'':<12} {issued.verify_page.as_uri()}#{issued.verified_code}")
    say(f"\nAll outputs are in {root}; delete the folder when you are done.")
    return DemoResult(root, tuple(steps), issued.certificates, issued.verify_page, issued.verified_code)
