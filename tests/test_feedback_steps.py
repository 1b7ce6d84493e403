"""Each feedback step on its own: one notebook or cell in, the page's pieces out (no kernel).

The steps are nbgrader preprocessors (``course.instructor.feedback_steps``); here each is
fed a notebook and ``resources`` directly, with a real released assessment and a real
SQLite gradebook where the step reads one.
"""
from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path
from typing import Any

import nbformat
import pytest

from course.instructor import feedback_steps as steps
from course.instructor.assessments import load_assessment

ASSESSMENT = "02_quality_and_contamination"


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from course.instructor.release import release
    from tests.instructor_course import make_course

    root = tmp_path_factory.mktemp("feedback-steps") / "grading"
    release(make_course(root), [ASSESSMENT])
    return root


@pytest.fixture
def course(released: Path, tmp_path: Path):
    from course.instructor.coursedir import open_course

    copy_root = tmp_path / "grading"
    shutil.copytree(released, copy_root)
    return open_course(copy_root, f"sqlite:///{copy_root / 'gradebook.db'}")


@pytest.fixture
def assessment(course) -> Any:
    return load_assessment(course.source_notebook(ASSESSMENT), ASSESSMENT)


def resources_for(course, learner: str = "ada") -> dict[str, Any]:
    return {"nbgrader": {"assignment": ASSESSMENT, "student": learner, "notebook": "assessment",
                         "db_url": course.db_url}}


def released_notebook(course) -> Any:
    return nbformat.read(course.release_notebook(ASSESSMENT), as_version=4)


def filled(course, assessment, answers: dict[int, str], reflection: str | None = None) -> Any:
    from course.instructor.demo import fill_answers, fill_reflection

    notebook = fill_answers(json.loads(course.release_notebook(ASSESSMENT).read_text()), assessment, answers)
    if reflection is not None:
        fill_reflection(notebook, assessment, reflection)
    return nbformat.from_dict(notebook)


def step(cls: type, course) -> Any:
    return cls(course_root=str(course.root))


def marks_for(assessment, earned: dict[int, float], reflection: float | None = None,
              overridden: tuple[int, ...] = (), comments: dict[str, str] | None = None) -> dict[str, steps.Mark]:
    marks = {item.test_cell: steps.Mark(item.test_cell, item.points, earned.get(item.number, 0.0),
                                        overridden=item.number in overridden) for item in assessment.items}
    if assessment.reflection is not None:
        grade_id = assessment.reflection.grade_id
        marks[grade_id] = steps.Mark(grade_id, assessment.reflection.points, reflection,
                                     comment=(comments or {}).get(grade_id, ""))
    return marks


def compose(course, assessment, marks: dict[str, steps.Mark], answers: dict[int, steps.AnswerShown] | None = None,
            reflection: str = "") -> tuple[Any, dict[str, Any]]:
    resources = resources_for(course)
    resources["exocourse"] = {"marks": marks, "answers": answers or {}, "reflection": reflection}
    return step(steps.ComposeFeedback, course).preprocess(released_notebook(course), resources)


def page_text(nb: Any) -> str:
    """The words of the composed page: raw cells without their tags, Markdown as written."""
    parts = [re.sub(r"<[^<>]+>", " ", c.source) if c.cell_type == "raw" else c.source for c in nb.cells]
    return re.sub(r"\s+", " ", "\n".join(parts))


# ---------------------------------------------------------------- ReadFinalMarks

def test_final_marks_are_the_gradebooks_with_overrides_and_unmarked_work_as_none(course, assessment):
    first, second = assessment.items[0], assessment.items[1]
    reflection = assessment.reflection
    with course.gradebook() as gb:
        gb.add_student("ada")
        gb.add_submission(ASSESSMENT, "ada")
        for item in assessment.items:
            grade = gb.find_grade(item.test_cell, "assessment", ASSESSMENT, "ada")
            grade.auto_score = 0.0
            grade.needs_manual_grade = False
        gb.find_grade(first.test_cell, "assessment", ASSESSMENT, "ada").manual_score = 1.0   # an override
        comment = gb.find_comment(second.answer_cell, "assessment", ASSESSMENT, "ada")
        comment.manual_comment = "Look again at the word *process*."
        gb.db.commit()
    _, resources = step(steps.ReadFinalMarks, course).preprocess(released_notebook(course), resources_for(course))
    marks = resources["exocourse"]["marks"]
    assert marks[first.test_cell].score == 1.0 and marks[first.test_cell].overridden
    assert marks[second.test_cell].score == 0.0 and not marks[second.test_cell].overridden
    assert marks[second.answer_cell].comment == "Look again at the word *process*."
    assert marks[reflection.grade_id].score is None and not marks[reflection.grade_id].marked   # not 0


def test_a_learner_with_no_submission_gets_a_plain_error(course):
    with pytest.raises(Exception, match="autograde it first"):
        step(steps.ReadFinalMarks, course).preprocess(released_notebook(course), resources_for(course, "nobody"))


# ---------------------------------------------------------------- ReadLearnerAnswers

def test_answers_are_read_as_values_without_running_anything(course, assessment, tmp_path):
    marker = tmp_path / "ran"
    notebook = filled(course, assessment, {1: "a, b", 2: "", 5: "4 x 10^10"}, reflection="My *own* words.")
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in notebook.cells}
    cells[assessment.items[2].answer_cell].source = f"open({str(marker)!r}, 'w')\nanswer_3 = 'A'"
    cells[assessment.items[3].answer_cell].source = "answer_4 = __import__('os').getcwd()"
    duplicate = copy.deepcopy(cells[assessment.items[0].answer_cell])
    duplicate.source = 'answer_1 = "E"'
    notebook.cells.append(duplicate)                        # a copied cell does not replace the first
    _, resources = step(steps.ReadLearnerAnswers, course).preprocess(notebook, resources_for(course))
    answers = resources["exocourse"]["answers"]
    assert answers[1].status == "answer" and answers[1].text == "a, b"
    assert answers[2].status == "blank"
    assert answers[3].status == "answer" and answers[3].text == "A"
    assert answers[4].status == "not an answer"
    assert answers[5].text == "4 x 10^10"
    assert resources["exocourse"]["reflection"] == "My *own* words."
    assert not marker.exists()


# ---------------------------------------------------------------- ComposeFeedback

def test_unmarked_reflection_says_not_yet_marked_and_never_zero(course, assessment):
    nb, resources = compose(course, assessment, marks_for(assessment, {i.number: 1.0 for i in assessment.items}))
    text = page_text(nb)
    assert "Written reflection: not yet marked" in text
    assert not re.search(r"0(\.0)? (/|of) 4", text)
    assert "Score:" not in text and "Test cell" not in text
    assert resources["exocourse"]["summary"]["reflection_marked"] is False


def test_questions_are_named_question_n_and_the_verdict_follows_the_final_marks(course, assessment):
    marks = marks_for(assessment, {1: 1.0}, reflection=3.0, overridden=(1,))
    nb, _ = compose(course, assessment, marks)
    text = page_text(nb)
    for item in assessment.items:
        assert f"Question {item.number}" in text
    first = text.split("Question 1 ", 2)[2].split("Question 2 ", 1)[0]   # the section, not the table row
    assert "earned its mark (1 of 1)" in first and "reviewed this question and set its mark" in first
    assert "did not earn" not in first
    assert "no mark this time (0 of 1)" in text.split("Question 2 ", 2)[2]
    assert "Written reflection 3 of 4 marks" in text


def test_the_pass_verdict_is_the_syllabus_rule(course, assessment):
    five = {n: 1.0 for n in range(1, 6)}                       # 5 of 8 = 62.5 %
    nb, resources = compose(course, assessment, marks_for(assessment, five))
    assert resources["exocourse"]["summary"]["passed"] is False
    assert "Not passed yet" in page_text(nb) and "80 % of the question marks" in page_text(nb)


def test_the_pass_verdict_follows_a_60_percent_pass_mark(course, assessment, pass_mark_60):
    five = {n: 1.0 for n in range(1, 6)}
    nb, resources = compose(course, assessment, marks_for(assessment, five))
    assert resources["exocourse"]["summary"]["passed"] is True
    text = page_text(nb)
    assert "Passed" in text and "60 % of the question marks (5 of 8)" in text


def test_a_missed_question_names_its_objective_and_the_lesson_sections_to_revisit_not_the_key(course, assessment):
    from course._syllabus import load_syllabus
    from course.instructor import leaks

    third = assessment.items[2]
    earned = {i.number: 1.0 for i in assessment.items if i.number != third.number}
    answers = {third.number: steps.AnswerShown("answer", "C")}
    nb, _ = compose(course, assessment, marks_for(assessment, earned), answers)
    text = page_text(nb)
    objective = load_syllabus().objective(third.objective)
    section = text.split(f"Question {third.number} ", 2)[2]
    assert f"objective {objective.id}" in section and objective.revisit[0] in section
    assert "lesson 02" in section and "Your answer: C" in section
    secrets = leaks.assessment_secrets(course.source_notebook(ASSESSMENT), ASSESSMENT)
    assert [x for x in leaks.find_leaks("\n".join(c.source for c in nb.cells), secrets, "page")
            if x.kind == leaks.KEY] == []


def test_the_summary_lists_every_section_to_revisit_once(course, assessment):
    nb, _ = compose(course, assessment, marks_for(assessment, {}))
    summary = nb.cells[0].source
    assert summary.count("What to revisit") == 1
    for objective in {i.objective for i in assessment.items}:
        assert summary.count(f"Objective {objective}:") == 1


def test_learner_text_is_escaped_and_shown_as_their_own(course, assessment):
    answers = {1: steps.AnswerShown("answer", "<script>alert(1)</script>")}
    nb, _ = compose(course, assessment, marks_for(assessment, {}), answers,
                    reflection="<img src=x onerror=alert(2)>\n\n**bold?**")
    html = "\n".join(c.source for c in nb.cells if c.cell_type == "raw")
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_the_page_has_a_figure_of_marks_by_objective_with_a_text_alternative(course, assessment):
    nb, _ = compose(course, assessment, marks_for(assessment, {1: 1.0}))
    figures = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert len(figures) == 1 and steps.PLOTLY_MIME in figures[0].data
    assert "objective 2.1: 1 of 2" in figures[0].data["text/plain"]


def test_prompts_come_from_the_release_and_drop_the_typing_instructions(course, assessment):
    nb, _ = compose(course, assessment, marks_for(assessment, {}))
    text = page_text(nb)
    for option in assessment.items[0].options:                   # the released options
        assert option.text in text
    assert "Your answer: every letter" not in text and "double-click" not in text


# ---------------------------------------------------------------- RenderCitations

def test_citations_become_author_year_links_with_a_reference_list():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("As shown [@misev2018; @webber2013].")])
    nb, _ = steps.RenderCitations().preprocess(nb, {})
    assert "[@" not in nb.cells[0].source
    assert re.search(r"\[Théry et al\., 2018[^\]]*\]\(#ref-misev2018\)", nb.cells[0].source)
    assert 'id="ref-misev2018"' in nb.cells[-1].source and "Webber" in nb.cells[-1].source


# ---------------------------------------------------------------- EmbedPlotly

def test_plotly_figures_carry_plotly_js_once_so_they_show_offline():
    from plotly.offline import get_plotlyjs

    figure = {"data": [{"type": "bar", "x": [1], "y": ["a"], "orientation": "h"}], "layout": {}}
    cells = [nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output(
        "display_data", data={steps.PLOTLY_MIME: figure, "text/plain": "alt"})]) for _ in range(2)]
    nb, _ = steps.EmbedPlotly().preprocess(nbformat.v4.new_notebook(cells=cells), {})
    pages = [c.outputs[0].data["text/html"] for c in nb.cells]
    library = get_plotlyjs()
    assert library[:200] in pages[0] and library[:200] not in pages[1]
    assert not re.search(r"<script[^>]+src=", pages[0] + pages[1])      # nothing fetched from a CDN
    assert nb.cells[0].outputs[0].data["text/plain"] == "alt"


# ---------------------------------------------------------------- the exporter

def composed_resources(course, assessment) -> tuple[Any, dict[str, Any]]:
    nb, resources = compose(course, assessment, marks_for(assessment, {1: 1.0}))
    nb, resources = steps.RenderCitations().preprocess(nb, resources)
    return nb, resources


class _Replay(steps.FeedbackStep):
    """Hands the exporter an already composed notebook, as the configured steps would."""

    notebook: Any = None
    state: dict[str, Any] = {}

    def preprocess(self, nb: Any, resources: Any) -> Any:
        resources["exocourse"] = self.state
        return copy.deepcopy(self.notebook), resources


def export(course, nb: Any, resources: dict[str, Any], config: Any = None) -> str:
    exporter = steps.CheckedFeedbackExporter(config=config, course_root=str(course.root))
    _Replay.notebook, _Replay.state = nb, resources["exocourse"]
    exporter.register_preprocessor(_Replay, enabled=True)
    output, _ = exporter.from_notebook_node(released_notebook(course), resources={"nbgrader": resources["nbgrader"]})
    return output


def test_the_exporter_uses_the_course_template_even_when_told_to_use_nbgraders(course, assessment):
    from traitlets.config import Config

    nb, resources = composed_resources(course, assessment)
    formgrader = Config({"HTMLExporter": {"template_name": "feedback"}})     # what Formgrader sets
    page = export(course, nb, resources, formgrader)
    assert "Your feedback: module 02" in page and "Test cell" not in page and "panel-heading" not in page


def test_the_exporter_refuses_a_page_holding_a_secret_and_does_not_print_it(course, assessment):
    nb, resources = composed_resources(course, assessment)
    model = assessment.reflection.model_answer
    sentence = next(s for s in re.split(r"(?<=\.)\s+", model) if len(s.split()) > 10)
    nb.cells.append(nbformat.v4.new_raw_cell("<p>" + sentence + "</p>"))
    with pytest.raises(steps.FeedbackLeakError) as raised:
        export(course, nb, resources)
    assert "model answer" in str(raised.value) and sentence[10:60] not in str(raised.value)


def test_the_exporter_refuses_a_key_line_even_base64_encoded(course, assessment):
    import base64

    nb, resources = composed_resources(course, assessment)
    first = assessment.items[0]
    line = f'{first.variable} = "{first.solution_text}"'
    nb.cells.append(nbformat.v4.new_raw_cell(base64.b64encode(line.encode()).decode()))
    with pytest.raises(steps.FeedbackLeakError, match="key"):
        export(course, nb, resources)


def test_the_exporter_refuses_a_notebook_the_steps_did_not_compose(course):
    exporter = steps.CheckedFeedbackExporter(course_root=str(course.root))
    with pytest.raises(steps.FeedbackLeakError, match="not composed"):
        exporter.from_notebook_node(released_notebook(course), resources=resources_for(course))


def test_without_plotly_js_removes_only_the_exact_library(course):
    from plotly.offline import get_plotlyjs

    library = get_plotlyjs()
    assert steps.without_plotly_js(f"a<script>{library}</script>b") == "a<script></script>b"
    tampered = library[:1000] + "answer_1 = 'A'" + library[1000:]
    assert "answer_1" in steps.without_plotly_js(tampered)



def test_every_citation_on_the_page_links_to_an_entry_of_its_reference_list(course, assessment):
    nb, resources = composed_resources(course, assessment)
    page = export(course, nb, resources)
    targets = set(re.findall(r'href="#(ref-[^"]+)"', page))
    anchors = set(re.findall(r'id="(ref-[^"]+)"', page))
    assert targets and targets <= anchors, targets - anchors
