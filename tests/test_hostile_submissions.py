"""Hostile submissions, beside honest ones, through intake, autograde, feedback, report and
certificates (issue 8, "Bad input"), on SQLite and on a real PostgreSQL server.

Every kind of attack a dishonest learner can type into their notebook is here: helpers
monkeypatched to always compare equal, ``__eq__`` tricks, an input transformer that drops
asserts, ``str``/``float`` subclasses that read the caller's frame, reading the source
notebooks and the key, writing the gradebook, other submissions and ``nbgrader_config.py``,
forging a certificate register line, a detached process that writes 45 s later, 20
sleepers, a 2 GB allocation, an infinite loop, ``os._exit``, and tampered cell metadata.

What must hold, for every one of them:

- each hostile file scores exactly what its literal answer lines deserve (0 where none),
  and every honest score is exact;
- nothing outside the grader's own output changes: other learners' gradebook rows (a
  marked reflection included), every submission, the configuration, the answer key, the
  roster, the signing key and the certificate register;
- no process outlives grading (and none of the planted commands ever starts);
- no feedback page holds a key, a roster line, key material or another learner's data.

A step owned by another engineer that fails its assertion is left failing, with a
message naming the step.
"""
from __future__ import annotations

import copy
import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import pytest

from course.instructor.assessments import Assessment, load_assessment, nbgrader_meta, read_notebook_json, solutions
from course.instructor.coursedir import CONFIG_FILE, CourseDir
from course.instructor.demo import answer_line, fill_answers, fill_reflection
from tests.instructor_course import make_course

pytestmark = pytest.mark.slow

ASSESSMENT = "01_exosome_biology"
MARK = "exohostile4242"                        # in every command a hostile cell would start
VICTIM = "victim"                               # graded (and marked) before the hostile batch
VICTIM_REFLECTION = "My private reflection on a patient I treated in March, which nobody else may read."


# ---------------------------------------------------------------- the submissions

@dataclass
class Case:
    learner: str
    expected: float
    build: Callable[[dict[str, Any], Assessment, dict[int, str], Path], dict[str, Any]]
    reflection: str = ""


def _cell(notebook: dict[str, Any], grade_id: str) -> dict[str, Any]:
    return next(c for c in notebook["cells"] if nbgrader_meta(c).get("grade_id") == grade_id)


def _code(source: str) -> dict[str, Any]:
    return {"cell_type": "code", "execution_count": None, "id": hashlib.sha1(source.encode()).hexdigest()[:12],
            "metadata": {}, "outputs": [], "source": source}


def _wrong(assessment: Assessment, number: int, right: str) -> str:
    item = assessment.item(number)
    if item.kind == "letter":
        return next(c for c in item.choices if c != right)
    if item.kind == "letters":
        return item.choices[-1] if item.choices[-1] not in right else item.choices[0]
    return "123456789"


def _filled(release: dict[str, Any], assessment: Assessment, answers: dict[int, str]) -> dict[str, Any]:
    return fill_answers(release, assessment, answers)


def _with_cells(notebook: dict[str, Any], *sources: str, at: int = 2) -> dict[str, Any]:
    for offset, source in enumerate(sources):
        notebook["cells"].insert(at + offset, _code(source))
    return notebook


def _prefix_answer(notebook: dict[str, Any], assessment: Assessment, number: int, code: str) -> None:
    cell = _cell(notebook, assessment.item(number).answer_cell)
    cell["source"] = code + "\n" + "".join(cell["source"])


def cases(root: Path, total: float) -> list[Case]:
    """The hostile and honest submissions, with the score each one's answer lines deserve
    (``total``: every question right; every question is worth 1)."""
    gradebook, config, source = root / "gradebook.db", root / CONFIG_FILE, root / "source"
    key = root / "assessments" / f"{ASSESSMENT}.yml"
    roster, register = root / "learners.csv", root / "certificates" / "register.csv"
    victim_nb = root / "submitted" / VICTIM / ASSESSMENT / "assessment.ipynb"
    built: list[Case] = []

    def case(learner: str, expected: float, reflection: str = "") -> Callable[..., Any]:
        def register_case(function: Callable[..., Any]) -> Callable[..., Any]:
            built.append(Case(learner, expected, function, reflection))
            return function
        return register_case

    # --- honest learners
    @case("honest-all", total, reflection="I will ask suppliers for a certificate of analysis.")
    def honest_all(release, assessment, right, _):
        return _filled(release, assessment, right)

    @case("honest-mixed", 4.0)
    def honest_mixed(release, assessment, right, _):
        return _filled(release, assessment, {n: v if n <= 4 else _wrong(assessment, n, v) for n, v in right.items()})

    @case("honest-formats", total)
    def honest_formats(release, assessment, right, _):
        def other(n: int, v: str) -> str:
            kind = assessment.item(n).kind
            return v.lower() if kind == "letter" else (" and ".join(v.lower().split(", ")) if kind == "letters"
                                                        else f"{float(v) / 100:g} x 10^2")
        return _filled(release, assessment, {n: other(n, v) for n, v in right.items()})

    # --- always-equal objects and monkeypatched helpers: none of it runs
    @case("monkeypatch", 1.0)
    def monkeypatch(release, assessment, right, _):
        notebook = _filled(release, assessment, {1: right[1], **{n: _wrong(assessment, n, right[n]) for n in (2, 3, 4)}})
        return _with_cells(notebook, (
            "import course._answers as a, builtins\n"
            "class Yes(str):\n    def __eq__(self, other): return True\n    __hash__ = str.__hash__\n"
            "a.letter = a.letters = lambda value: Yes('A')\na.close = lambda *args, **kwargs: True\n"
            "a.read_answer = lambda *args, **kwargs: None\nbuiltins.AssertionError = type('Never', (Exception,), {})\n"))

    @case("eq-tricks", 0.0)
    def eq_tricks(release, assessment, right, _):
        notebook = copy.deepcopy(release)
        for item in assessment.items:
            _cell(notebook, item.answer_cell)["source"] = (
                "class Always(str):\n    def __eq__(self, other): return True\n    __hash__ = str.__hash__\n"
                f"{item.variable} = Always('x')")
        return notebook

    @case("transformer", 2.0)
    def transformer(release, assessment, right, _):
        notebook = _filled(release, assessment, {1: right[1], 2: right[2], 3: _wrong(assessment, 3, right[3])})
        return _with_cells(notebook, (
            "ip = get_ipython()\n"
            "ip.input_transformers_post.append(lambda lines: [l for l in lines if 'assert' not in l])\n"
            "ip.input_transformers_cleanup.insert(0, lambda lines: ['pass\\n'])\n"))

    @case("frame-readers", 1.0)
    def frame_readers(release, assessment, right, _):
        notebook = _filled(release, assessment, {1: right[1]})
        number_item = next(i for i in assessment.items if i.kind == "number")
        letter_item = next(i for i in assessment.items if i.kind == "letter" and i.number != 1)
        _cell(notebook, number_item.answer_cell)["source"] = (
            "import sys\nclass Peek(float):\n    def __eq__(self, other):\n"
            "        frame = sys._getframe(1)\n        return True\n"
            "    def __sub__(self, other): return 0.0\n"
            f"{number_item.variable} = Peek(1)")
        _cell(notebook, letter_item.answer_cell)["source"] = (
            "import inspect\nclass Seer(str):\n    def upper(self):\n"
            "        return inspect.stack()[1].frame.f_locals.get('expected', 'A')\n"
            f"{letter_item.variable} = Seer('x')")
        return notebook

    # --- reading what it must not, writing where it must not: nothing runs
    @case("read-source-and-key", 0.0)
    def read_source(release, assessment, right, _):
        return _with_cells(copy.deepcopy(release), (
            "import glob, json, re, yaml\n"
            f"nb = json.load(open(glob.glob({str(source)!r} + '/*/assessment.ipynb')[0]))\n"
            "for cell in nb['cells']:\n    exec(re.sub('### (BEGIN|END) SOLUTION', '', ''.join(cell['source'])))\n"
            f"key = yaml.safe_load(open({str(key)!r}))\n"
            "answer_1 = [o['text'] for o in key['items'][0]['options'] if o.get('correct')][0]\n"))

    @case("write-gradebook", 0.0)
    def write_gradebook(release, assessment, right, _):
        later = (f"import sqlite3, time; time.sleep(45); c = sqlite3.connect({str(gradebook)!r}); "
                 "c.execute('update grade set manual_score = 0'); c.commit()  # " + MARK)
        return _with_cells(copy.deepcopy(release), (
            "import sqlite3, subprocess, sys\n"
            f"db = sqlite3.connect({str(gradebook)!r})\n"
            "db.execute('update grade set auto_score = max_score, manual_score = max_score')\n"
            "db.execute(\"update grade set auto_score = 0, manual_score = 0 where id not in (select id from grade limit 1)\")\n"
            "db.commit()\n"
            f"subprocess.Popen([sys.executable, '-c', {later!r}], start_new_session=True)\n"))

    @case("write-others", 0.0)
    def write_others(release, assessment, right, _):
        return _with_cells(copy.deepcopy(release), (
            f"open({str(victim_nb)!r}, 'w').write('{{}}')\n"
            f"open({str(config)!r}, 'a').write('\\nimport os; os.system(\"touch /tmp/{MARK}\")\\n')\n"
            f"open({str(key)!r}, 'w').write('items: []')\n"))

    @case("leak-secrets", 0.0)
    def leak_secrets(release, assessment, right, _):
        return _with_cells(copy.deepcopy(release), (
            "import base64, glob, os\n"
            f"print(open({str(roster)!r}).read())\n"
            f"print(base64.b64encode(open({str(key)!r}, 'rb').read()).decode())\n"
            "print(open(os.environ.get('EXOCOURSE_CERTIFICATE_KEY', '/dev/null')).read()[::-1])\n"
            f"print(open({str(victim_nb)!r}).read())\n"))

    @case("forge-register", 0.0)
    def forge_register(release, assessment, right, _):
        return _with_cells(copy.deepcopy(release), (
            f"import os\nos.makedirs({str(register.parent)!r}, exist_ok=True)\n"
            f"open({str(register)!r}, 'a').write('forged,Mallory,EXO-FORGED,2026-12-01\\n')\n"))

    # --- processes, memory and time: nothing runs, so the literal answers are what count
    @case("sleepers", total)
    def sleepers(release, assessment, right, _):
        notebook = _filled(release, assessment, right)
        _prefix_answer(notebook, assessment, 1, (
            "import subprocess\n"
            f"procs = [subprocess.Popen(['sleep', '4242'], start_new_session=True) for _ in range(20)]  # {MARK}"))
        return notebook

    @case("allocate-2gb", total)
    def allocate(release, assessment, right, _):
        notebook = _filled(release, assessment, right)
        _prefix_answer(notebook, assessment, 2, "hog = bytearray(2 * 1024 ** 3)")
        return notebook

    @case("infinite-loop", total)
    def loop(release, assessment, right, _):
        notebook = _filled(release, assessment, right)
        _prefix_answer(notebook, assessment, 3, "while True:\n    pass")
        return notebook

    @case("os-exit", total - 1)
    def os_exit(release, assessment, right, _):
        notebook = _filled(release, assessment, {**right, 5: _wrong(assessment, 5, right[5])})
        _prefix_answer(notebook, assessment, 4, "import os\nos._exit(1)")
        return notebook

    # --- tampered cells and metadata: restored from the instructor's copy
    @case("metadata-tricks", total - 2)
    def metadata(release, assessment, right, _):
        notebook = _filled(release, assessment, {**right, 6: "", 7: _wrong(assessment, 7, right[7])})
        answer = _cell(notebook, assessment.item(1).answer_cell)
        answer["metadata"]["nbgrader"].update(grade=True, points=100, locked=True)
        check = _cell(notebook, assessment.item(2).test_cell)
        check["cell_type"], check["source"] = "markdown", "full marks"
        check.pop("outputs", None), check.pop("execution_count", None)
        _cell(notebook, assessment.item(3).test_cell)["metadata"]["nbgrader"]["points"] = 50
        _cell(notebook, assessment.item(4).test_cell)["source"] = "pass"
        notebook["metadata"]["exocourse"]["assessment"] = ASSESSMENT
        return notebook

    @case("nasty-strings", 0.0)
    def nasty(release, assessment, right, _):
        notebook = copy.deepcopy(release)
        values = ["<script>alert('exo')</script>", "A" * 9000, "\x1b[2J\x07", "answer_1 = 'Z'", "{{7*7}}",
                  "=HYPERLINK(\"http://evil\")", "../../../../etc/passwd"]
        for item, value in zip(assessment.items, values):
            _cell(notebook, item.answer_cell)["source"] = answer_line(item.variable, value)
        _cell(notebook, assessment.item(7).answer_cell)["source"] = (
            f"{assessment.item(7).variable} = " + "(" * 3000 + '"A"' + ")" * 3000)
        return notebook

    return built


# ---------------------------------------------------------------- the run

@dataclass
class Run:
    course: CourseDir
    cases: list[Case]
    graded: Any
    pages: Any
    report: Any
    issued: Any
    key_file: Path
    right: dict[int, str]
    before: dict[str, str]
    after: dict[str, str]
    victim_before: list[tuple[Any, ...]]
    victim_after: list[tuple[Any, ...]]
    children_before: set[int]
    children_after: set[int]
    planted: list[str]
    started: float
    problems: dict[str, str] = field(default_factory=dict)


def _digest(path: Path) -> str:
    if path.is_dir():
        return hashlib.sha256("".join(f"{p.relative_to(path)}:{_digest(p)}" for p in sorted(path.rglob("*"))
                                      if p.is_file()).encode()).hexdigest()
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "missing"


def _protected(course: CourseDir, key_file: Path) -> dict[str, str]:
    root = course.root
    return {"config": _digest(root / CONFIG_FILE), "key": _digest(root / "assessments"),
            "source": _digest(root / "source"), "release": _digest(root / "release"),
            "submitted": _digest(root / "submitted"), "roster": _digest(root / "learners.csv"),
            "signing key": _digest(key_file), "no marker file": str(Path(f"/tmp/{MARK}").exists())}


def _victim_rows(course: CourseDir) -> list[tuple[Any, ...]]:
    with course.gradebook() as gb:
        submission = gb.find_submission(ASSESSMENT, VICTIM)
        return sorted((g.name, g.auto_score, g.manual_score, g.extra_credit, g.needs_manual_grade)
                      for notebook in submission.notebooks for g in notebook.grades)


def _planted_processes(since: float) -> list[str]:
    found = []
    for process in psutil.process_iter(["pid", "cmdline", "create_time"]):
        try:
            command = " ".join(process.info["cmdline"] or [])
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if (MARK in command or "sleep 4242" in command) and (process.info["create_time"] or 0) >= since - 1:
            found.append(f"{process.info['pid']}: {command[:80]}")
    return found


def _children() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True)}


def _run(base: Path, db_url: str | None, tmp_key_dir: Path) -> Run:
    from course.instructor._csv import write_csv
    from course.instructor.autograde import autograde
    from course.instructor.certificates import issue_certificates, learners_from_gradebook, read_roster
    from course.instructor.feedback import feedback
    from course.instructor.intake import intake
    from course.instructor.release import release
    from course.instructor.report import write_report

    course = make_course(base / "course", db_url)
    release(course)
    assessment = load_assessment(course.source_notebook(ASSESSMENT), ASSESSMENT)
    right = {n: str(v) for n, v in solutions(course.source_notebook(ASSESSMENT)).items()}
    released = read_notebook_json(course.release_notebook(ASSESSMENT))
    all_cases = cases(course.root, assessment.autograded_points)
    assert {item.points for item in assessment.items} == {1.0}
    write_csv(course.root / "learners.csv", ["learner", "name", "registration"],
              [[c.learner, f"Learner {c.learner.title()}", f"REG-{i:05d}"] for i, c in enumerate(all_cases)]
              + [[VICTIM, "Vera Victim", "REG-99999"]])
    key_file = tmp_key_dir / "certificate-signing-key.pem"
    from course.instructor.certificates.keys import create_private_key

    create_private_key(key_file, course.root)

    # The victim: graded and marked before anyone hostile is taken in.
    victim_inbox = base / "inbox-victim"
    victim_inbox.mkdir()
    victim = _filled(released, assessment, right)
    fill_reflection(victim, assessment, VICTIM_REFLECTION)
    (victim_inbox / f"{VICTIM}.ipynb").write_text(json.dumps(victim), encoding="utf-8")
    intake(course, victim_inbox, ASSESSMENT)
    autograde(course, ASSESSMENT, learners=[VICTIM], progress=None)
    with course.gradebook() as gb:
        for notebook in gb.find_submission(ASSESSMENT, VICTIM).notebooks:
            for grade in notebook.grades:
                if grade.name == assessment.reflection.grade_id if assessment.reflection else False:
                    grade.manual_score, grade.needs_manual_grade = 3.0, False
        gb.db.commit()

    inbox = base / "inbox"
    inbox.mkdir()
    for case in all_cases:
        notebook = case.build(released, assessment, right, course.root)
        if case.reflection:
            fill_reflection(notebook, assessment, case.reflection)
        (inbox / f"{case.learner}.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    taken = intake(course, inbox, ASSESSMENT)
    problems = {e.file.name: e.reason for e in taken.entries if e.status == "rejected"}

    # The honest learner who passes everything takes the other four assessments too.
    for other in course.assessment_ids():
        if other == ASSESSMENT:
            continue
        other_assessment = load_assessment(course.source_notebook(other), other)
        other_inbox = base / f"inbox-{other}"
        other_inbox.mkdir()
        filled = _filled(read_notebook_json(course.release_notebook(other)), other_assessment,
                         {n: str(v) for n, v in solutions(course.source_notebook(other)).items()})
        (other_inbox / "honest-all.ipynb").write_text(json.dumps(filled), encoding="utf-8")
        intake(course, other_inbox, other)
        autograde(course, other, progress=None)

    hostile = [c.learner for c in all_cases]
    victim_before = _victim_rows(course)
    before = _protected(course, key_file)
    children_before = _children()
    started = time.time()
    graded = autograde(course, ASSESSMENT, learners=hostile, progress=None)
    time.sleep(2)                        # anything a hostile cell started would show by now
    children_after = _children()
    planted = _planted_processes(started)
    after = _protected(course, key_file)
    victim_after = _victim_rows(course)

    # The instructor marks every reflection (in Formgrader), then the later steps run.
    with course.gradebook() as gb:
        for assessment_id in course.assessment_ids():
            for submission in gb.assignment_submissions(assessment_id):
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        if grade.needs_manual_grade:
                            grade.manual_score, grade.needs_manual_grade = 2.0, False
        gb.db.commit()
    pages = feedback(course, ASSESSMENT)
    report = write_report(course)
    learners, names = learners_from_gradebook(course)
    issued = issue_certificates(course.root, learners, read_roster(course.root / "learners.csv"), key_file,
                                gradebook_names=names)
    return Run(course, all_cases, graded, pages, report, issued, key_file, right, before, after, victim_before,
               victim_after, children_before, children_after, planted, started, problems)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    import tempfile

    base = tmp_path_factory.mktemp(f"hostile-{request.param}")
    key_dir = Path(tempfile.mkdtemp(prefix="exocourse-hostile-key-"))
    try:
        if request.param == "postgres":
            from tests.pg import postgres_bin, running_postgres

            if postgres_bin() is None:
                pytest.skip("PostgreSQL is not installed (make postgres)")
            with running_postgres() as url:
                yield _run(base, url, key_dir)
        else:
            yield _run(base, None, key_dir)
    finally:
        import shutil

        shutil.rmtree(key_dir, ignore_errors=True)


# ---------------------------------------------------------------- what must hold

def test_every_submission_is_taken_in(run: Run) -> None:
    assert run.problems == {}, f"intake (engineer D's step) rejected: {run.problems}"


def test_every_file_scores_exactly_what_its_literal_answers_deserve(run: Run) -> None:
    graded = {g.learner: g for g in run.graded.learners}
    wrong = {c.learner: (graded[c.learner].score, c.expected, graded[c.learner].notes)
             for c in run.cases if graded[c.learner].score != c.expected or graded[c.learner].status != "graded"}
    assert wrong == {}
    worth = load_assessment(run.course.source_notebook(ASSESSMENT), ASSESSMENT).autograded_points
    assert {g.max_score for g in run.graded.learners} == {worth}     # no learner changed what a question is worth


def test_tampered_cells_are_restored_and_noted(run: Run) -> None:
    notes = {g.learner: " ".join(g.notes) for g in run.graded.learners}
    assert "restored" in notes["metadata-tricks"] or "changed back" in notes["metadata-tricks"]
    assert "not an answer" in notes["eq-tricks"] and "not an answer" in notes["nasty-strings"]


def test_nothing_outside_the_graders_own_output_changes(run: Run) -> None:
    changed = {name for name in run.before if run.before[name] != run.after[name]}
    assert changed == set(), f"changed during grading: {changed}"
    assert run.victim_after == run.victim_before


def test_no_process_outlives_grading_and_no_planted_command_ever_starts(run: Run) -> None:
    assert run.children_after <= run.children_before, "grading left child processes running"
    assert run.planted == [], f"hostile commands ran: {run.planted}"
    assert not Path(f"/tmp/{MARK}").exists()


def test_grading_never_starts_a_kernel(run: Run) -> None:
    assert all(g.seconds < 30 for g in run.graded.learners)
    assert not _planted_processes(run.started)


def test_no_feedback_page_holds_a_key_a_roster_line_key_material_or_another_learners_data(run: Run) -> None:
    from course.instructor import leaks

    assert not run.pages.failed, f"feedback (engineer A2's step) failed for: {run.pages.failed}"
    course = run.course
    base = leaks.assessment_secrets(course.source_notebook(ASSESSMENT), ASSESSMENT,
                                    key_file=course.root / "assessments" / f"{ASSESSMENT}.yml")
    base += leaks.key_material_secrets(run.key_file.read_bytes())
    base += leaks.text_secrets(leaks.LEARNER_DATA, "the victim's reflection", VICTIM_REFLECTION)
    from course._answers import read_answer
    from course.instructor.assessments import cell_text
    from course.instructor.grading import score_answer

    assessment = load_assessment(course.source_notebook(ASSESSMENT), ASSESSMENT)
    released = "\n".join(cell_text(c) for c in read_notebook_json(course.release_notebook(ASSESSMENT))["cells"])
    found: dict[str, list[str]] = {}
    for page in run.pages.written:
        cells = read_notebook_json(course.submitted_notebook(page.learner, ASSESSMENT))["cells"]
        own = "\n".join(cell_text(c) for c in cells)
        by_id = {nbgrader_meta(c).get("grade_id"): cell_text(c) for c in cells}
        # What the learner typed is theirs to see: a key they answered right is their own answer.
        answered_right = {item.number for item in assessment.items
                          if score_answer(item, read_answer(by_id.get(item.answer_cell, ""), item.variable)).earned}
        secrets = (base + leaks.roster_secrets(course.root / "learners.csv", except_learner=page.learner)).without(
            own, released)
        secrets.keys = [k for k in secrets.keys if k.number not in answered_right]
        leaked = leaks.find_leaks(page.path.read_bytes(), secrets, where=page.learner)
        if leaked:
            found[page.learner] = [str(leak) for leak in leaked[:3]]
    assert found == {}, f"feedback pages (engineer A2's step) hold secrets: {found}"


def test_feedback_pages_show_hostile_strings_as_harmless_text(run: Run) -> None:
    page = run.course.feedback_file("nasty-strings", ASSESSMENT).read_text(encoding="utf-8")
    assert "<script>alert('exo')</script>" not in page, "feedback (engineer A2's step) shows a script tag raw"


def test_the_report_grades_hostile_learners_by_their_scores(run: Run) -> None:
    import csv

    rows = {r["learner"]: r for r in csv.DictReader(run.report.grades_csv.open(encoding="utf-8"))}
    assert rows["honest-all"][f"{ASSESSMENT} passed"] == "yes"
    for case in run.cases:
        if case.expected == 0:
            assert rows[case.learner][f"{ASSESSMENT} passed"] == "no", case.learner


def test_only_the_learner_who_passed_everything_gets_a_certificate_and_it_verifies(run: Run) -> None:
    from course.instructor.certificates import load_published, read_register, verify_code

    assert [e.learner_id for e in run.issued.issued] == ["honest-all"], (
        f"certificates (engineer B's step) issued {[e.learner_id for e in run.issued.issued]}; not eligible: "
        f"{[why for who, why in run.issued.not_eligible if who == 'honest-all']}")
    register = read_register(run.course.root)
    assert [e.learner_id for e in register] == ["honest-all"], "the register holds a forged line"
    assert run.issued.public is not None
    published = load_published(run.issued.public.public_key)
    assert verify_code(register[0].code, published).genuine
