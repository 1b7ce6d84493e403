"""course/progress.py: the learner's record survives anything a file system can do to it."""
import json
import os

from course._progress import ProgressStore, default_store, empty_record


def store(tmp_path, messages=None):
    return ProgressStore(tmp_path / "progress.json", notify=(messages.append if messages is not None else None))


def test_default_store_lives_in_exocourse_home(learner_home):
    assert default_store().path == learner_home / "progress.json"


def test_a_missing_file_is_an_empty_record_and_nothing_is_written(tmp_path):
    s = store(tmp_path)
    assert s.load() == empty_record()
    assert not s.path.exists()


def test_attempts_reflections_and_times_accumulate_across_store_objects(tmp_path):
    store(tmp_path).record_attempt("01", "ev-term", 1, True)
    store(tmp_path).save_reflection("01", {"activity": "a", "learned": "b", "changed": "c", "code": "d"})
    store(tmp_path).mark_started("01")
    seconds = store(tmp_path).mark_finished("01")
    data = store(tmp_path).load()
    assert [a["question"] for a in data["attempts"]] == ["ev-term"]
    assert data["reflections"]["01"]["learned"] == "b" and data["reflections"]["01"]["saved"]
    assert data["modules"]["01"]["finished"] and 0 <= seconds < 5


def test_a_corrupt_file_is_kept_as_bak_with_a_one_line_message_and_a_fresh_record_starts(tmp_path):
    messages = []
    s = store(tmp_path, messages)
    s.record_attempt("01", "a", 0, False)
    s.path.write_text('{"attempts": [', encoding="utf-8")
    s.record_attempt("01", "b", 1, True)
    assert len(messages) == 1 and "\n" not in messages[0]
    assert "progress.json.bak" in messages[0] and "fresh record" in messages[0]
    assert (tmp_path / "progress.json.bak").read_text(encoding="utf-8") == '{"attempts": ['
    assert [a["question"] for a in s.load()["attempts"]] == ["b"]


def test_a_second_corruption_never_overwrites_the_first_backup(tmp_path):
    s = store(tmp_path, [])
    for text in ("first broken", "second broken"):
        s.path.write_text(text, encoding="utf-8")
        s.load()
    assert (tmp_path / "progress.json.bak").read_text() == "first broken"
    assert (tmp_path / "progress.json.1.bak").read_text() == "second broken"


def test_a_file_of_the_wrong_shape_is_set_aside_too(tmp_path):
    messages = []
    s = store(tmp_path, messages)
    s.path.write_text(json.dumps({"attempts": "oops"}), encoding="utf-8")
    assert s.load()["attempts"] == []
    assert "damaged" in messages[0]


def test_a_deleted_file_between_two_cells_just_starts_again(tmp_path):
    s = store(tmp_path, [])
    s.record_attempt("01", "a", 0, True)
    os.remove(s.path)
    s.record_attempt("01", "b", 0, True)
    assert [a["question"] for a in s.load()["attempts"]] == ["b"]


def test_writes_are_atomic_and_leave_no_temporary_files(tmp_path):
    s = store(tmp_path)
    for i in range(20):
        s.record_attempt("01", f"q{i}", i, True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["progress.json"]
    assert len(json.loads(s.path.read_text())["attempts"]) == 20


def test_time_spent_on_a_lesson_left_open_overnight_is_capped(tmp_path):
    s = store(tmp_path)
    s.update(lambda d: d["modules"].update({"01": {"seconds": 0.0, "started": "2020-01-01T00:00:00+00:00"}}))
    assert s.mark_finished("01") == 3 * 60 * 60
