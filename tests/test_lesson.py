"""course/lesson.py: the lesson frame (start, finish, reference lists)."""
from course._lesson import SAFETY_NOTE, cited_keys, finish, start
from course._progress import default_store
from course._references import keys_in_text, load_references


def test_start_and_finish_record_the_learners_time(capsys):
    start("01")
    assert "started" in default_store().load()["modules"]["01"]
    finish("01")
    entry = default_store().load()["modules"]["01"]
    assert entry["finished"] and "started" not in entry


def test_the_safety_note_cites_the_dated_fda_notices():
    assert keys_in_text(SAFETY_NOTE) == ["fda2019", "fda2020"]
    assert "6 December 2019" in SAFETY_NOTE and "does not qualify anyone" in SAFETY_NOTE


def test_a_lessons_reference_list_includes_its_markdown_question_and_objective_citations():
    keys = cited_keys("01")
    bibliography = load_references()
    assert {"misev2018", "fda2019"} <= set(keys)
    assert all(k in bibliography for k in keys)
