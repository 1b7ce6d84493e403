"""course/_progress_schema.py: a progress file of any shape is read without an error; a bad
part is set aside (reported once, the original kept), everything else is kept, and no
learner verb ever fails because of it."""
from __future__ import annotations

import json

import pytest

from course._progress import ProgressStore
from course._progress_schema import SCHEMA_VERSION, empty_record, read_record

GOOD_ATTEMPT = {"module": "01", "question": "ev-definition", "answer": "particle-30-150", "correct": True,
                "at": "2026-12-01T09:00:00+00:00"}
GOOD_SITTING = {"id": "k1", "began": "2026-12-01T09:00:00+00:00", "last": "2026-12-01T09:10:00+00:00",
                "seconds": 600.0, "actions": 12}


def current(**parts) -> dict:
    record = empty_record() | {"shuffle_seed": "0123456789abcdef"}
    record["attempts"] = [GOOD_ATTEMPT]
    record["modules"] = {"01": {"first_opened": GOOD_SITTING["began"], "sittings": [GOOD_SITTING]}}
    record["learner"] = {"name": "Alex Morgan", "registration": "NMC 1"}
    record.update(parts)
    return record


# Each case: the file's text, and what must survive it.
SHAPES = {
    "learner as a list": (json.dumps(current(learner=["Alex"])), "your name and registration number"),
    "modules.01 as [1]": (json.dumps(current(modules={"01": [1], "02": {"sittings": [GOOD_SITTING]}})),
                          "module 01's entry"),
    'seconds: "abc"': (json.dumps(current(modules={"01": {"sittings": [GOOD_SITTING | {"seconds": "abc"},
                                                                       GOOD_SITTING | {"id": "k2"}]}})),
                       "one of module 01's sittings"),
    "NaN seconds": (json.dumps(current(modules={"01": {"sittings": [GOOD_SITTING | {"id": "k2"}]}}))
                    .replace('"seconds": 600.0', '"seconds": NaN'), "one of module 01's sittings"),
    "Infinity in an attempt": (json.dumps(current(attempts=[GOOD_ATTEMPT, GOOD_ATTEMPT | {"answer": 1.5}]))
                               .replace('"answer": 1.5', '"answer": Infinity'), "one self-check attempt"),
    "an integer over 4,300 digits": (json.dumps(current(attempts=[GOOD_ATTEMPT, GOOD_ATTEMPT | {"answer": 7}]))
                                     .replace('"answer": 7', '"answer": ' + "9" * 5000), "one self-check attempt"),
    "attempts as a string": (json.dumps(current(attempts="oops")), "the self-check attempts"),
    "an attempt without a question": (json.dumps(current(attempts=[GOOD_ATTEMPT, {"module": "01", "correct": 1}])),
                                      "one self-check attempt"),
    "a reflection as a number": (json.dumps(current(reflections={"01": 5})), "the reflection on module 01"),
    "evaluation as a list": (json.dumps(current(evaluation=[1])), "the course evaluation"),
    "a bad shuffle seed": (json.dumps(current(shuffle_seed=["x"])), "the seed for the order"),
    "an unknown part nested 30 deep": (json.dumps(current(extra=json.loads("[" * 30 + "]" * 30))), "“extra”"),
    "a date that is not a date": (json.dumps(current(modules={"01": {"first_opened": "yesterday",
                                                                     "sittings": [GOOD_SITTING]}})),
                                  "module 01's date first opened"),
}


@pytest.mark.parametrize("case", SHAPES)
def test_a_bad_part_is_set_aside_and_the_rest_of_the_record_is_kept(case):
    text, named = SHAPES[case]
    reading = read_record(text)
    assert reading.unreadable is None and any(named in part for part in reading.set_aside), reading.set_aside
    record = reading.record
    assert record["schema"] == SCHEMA_VERSION
    json.dumps(record, allow_nan=False)                           # what remains is plain, writable JSON
    survivors = [record["learner"].get("name") == "Alex Morgan", bool(record["attempts"]),
                 bool(record["modules"].get("01", {}).get("sittings"))]
    assert sum(survivors) >= 2, record                            # the rest is kept


@pytest.mark.parametrize("case", SHAPES)
def test_every_learner_verb_still_works_and_the_problem_is_reported_once(case, learner_home):
    text, named = SHAPES[case]
    path = learner_home / "progress.json"
    path.write_text(text, encoding="utf-8")
    messages = []
    store = ProgressStore(path, notify=messages.append)
    store.load()
    store.record_attempt("01", "ev-cargo", "lipids", True)
    store.save_reflection("01", {"learned": "x"})
    store.mark_complete("01", {})
    store.load()
    assert len(messages) == 1 and named in messages[0] and "progress.json.bak" in messages[0]
    assert (learner_home / "progress.json.bak").read_text(encoding="utf-8") == text   # the original, kept
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["attempts"][-1]["question"] == "ev-cargo" and data["reflections"]["01"]["learned"] == "x"


def test_the_lesson_verbs_run_on_a_damaged_record(learner_home, capsys):
    import course

    (learner_home / "progress.json").write_text(SHAPES["modules.01 as [1]"][0], encoding="utf-8")
    course.start("01")
    course.quiz("01", "ev-definition")
    course.reflect("01")
    course.finish("01")
    course.record()
    out = capsys.readouterr().out
    assert out.count("set aside") == 1 and "Traceback" not in out


@pytest.mark.parametrize("text,why", [
    ("[" * 100_000 + "]" * 100_000, "nested far too deeply"),
    ('{"attempts": [', "not valid JSON"),
    ("[1, 2, 3]", "does not hold a progress record"),
    ("", "not valid JSON"),
    ("\x00\xff", "not valid JSON"),
])
def test_a_file_that_cannot_be_parsed_is_moved_aside_whole_and_a_fresh_record_starts(text, why, learner_home):
    path = learner_home / "progress.json"
    path.write_text(text, encoding="utf-8")
    messages = []
    store = ProgressStore(path, notify=messages.append)
    assert store.load()["attempts"] == []
    store.record_attempt("01", "ev-cargo", "lipids", True)
    assert len(messages) == 1 and why in messages[0] and "fresh record" in messages[0]
    assert (learner_home / "progress.json.bak").read_text(encoding="utf-8") == text
    assert len(store.load()["attempts"]) == 1


def test_a_file_that_is_not_text_at_all_is_moved_aside(learner_home):
    path = learner_home / "progress.json"
    path.write_bytes(b"\xff\xfe\x00garbage")
    messages = []
    assert ProgressStore(path, notify=messages.append).load()["attempts"] == []
    assert "not a text file" in messages[0] and (learner_home / "progress.json.bak").exists()


def test_a_part_from_a_newer_course_is_kept_untouched():
    reading = read_record(json.dumps(current(badges=["early-bird"], schema=SCHEMA_VERSION + 1)))
    assert reading.clean and reading.record["badges"] == ["early-bird"]
    assert reading.record["schema"] == SCHEMA_VERSION + 1
