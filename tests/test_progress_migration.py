"""course/_progress_schema.py, older records: a progress file from an earlier course version is
migrated, never lost (the original is kept beside it); 1.0.0's answers by option index
become option ids, with the order 1.0.0 showed (course/content/legacy/option_order_v1.json)."""
import json

from course._progress import ProgressStore
from course._progress_schema import SCHEMA_VERSION, answer_by_id, migrate, needs_migration
from course._questions import load_bank, score
from course._yaml import CONTENT_DIR

# What the pre-release course (schema 0, unversioned) wrote: one flat object.
SCHEMA_0 = {
    "name": "Alex Morgan",
    "registration": "NMC 12A3456B",
    "completed": {"01": "2024-11-02T10:40:00+00:00"},
    "minutes": {"01": 38, "02": 12.5},
    "quiz": {"01": {"ev-definition": True, "small-ev-size": False}},
    "reflections": {"01": "Size alone cannot tell an EV from a lipoprotein."},
}
LEGACY = json.loads((CONTENT_DIR / "legacy" / "option_order_v1.json").read_text(encoding="utf-8"))


def v1_record() -> dict:
    """What course 1.0.0 wrote for a learner who ran lesson 01 to the end and answered two questions."""
    return {
        "schema": 1, "course_version": "1.0.0",
        "learner": {"name": "Alex Morgan", "registration": ""},
        "modules": {"01": {"seconds": 2.7, "first_started": "2026-11-30T09:00:00+00:00",
                           "finished": "2026-11-30T09:00:03+00:00"}},
        "attempts": [
            {"module": "01", "question": "ev-definition", "answer": 2, "correct": True, "at": "2026-11-30T09:00:01+00:00"},
            {"module": "01", "question": "hair-ratio", "answer": 700.0, "correct": True, "at": "2026-11-30T09:00:02+00:00"},
            {"module": "01", "question": "ev-cargo", "answer": [0, 2], "correct": False, "at": "2026-11-30T09:00:02+00:00"},
            {"module": "01", "question": "ev-definition", "answer": 99, "correct": False, "at": "2026-11-30T09:00:02+00:00"},
        ],
        "reflections": {}, "evaluation": {},
    }


def store(tmp_path, messages):
    return ProgressStore(tmp_path / "progress.json", notify=messages.append)


def test_a_schema_0_file_is_read_as_the_current_schema_with_every_learner_word_kept(tmp_path):
    messages = []
    s = store(tmp_path, messages)
    s.path.write_text(json.dumps(SCHEMA_0), encoding="utf-8")
    data = s.load()
    assert data["schema"] == SCHEMA_VERSION
    assert data["learner"] == {"name": "Alex Morgan", "registration": "NMC 12A3456B"}
    assert data["modules"]["01"]["recorded_by_1_0"] == {"seconds": 38 * 60.0, "finished": "2024-11-02T10:40:00+00:00"}
    assert "completed" not in data["modules"]["01"]         # completion is now the learner's act
    assert {(a["question"], a["correct"]) for a in data["attempts"]} == {("ev-definition", True),
                                                                         ("small-ev-size", False)}
    assert data["reflections"]["01"]["learned"] == SCHEMA_0["reflections"]["01"]
    assert data["migrated_from"]["schema"] == 0


def test_course_1_0_answers_by_index_become_the_option_ids_that_were_shown(tmp_path):
    messages = []
    s = store(tmp_path, messages)
    s.path.write_text(json.dumps(v1_record()), encoding="utf-8")
    attempts = s.load()["attempts"]
    shown = LEGACY["modules"]["01"]
    assert attempts[0]["answer"] == shown["ev-definition"][2] and attempts[0]["answer_1_0"] == 2
    assert attempts[1]["answer"] == 700.0 and "answer_1_0" not in attempts[1]          # a number stays a number
    assert attempts[2]["answer"] == sorted([shown["ev-cargo"][0], shown["ev-cargo"][2]])
    assert attempts[3]["answer"] is None and attempts[3]["answer_1_0"] == 99            # meaningless: kept aside
    assert [a["correct"] for a in attempts] == [True, True, False, False]               # as marked at the time


def test_a_migrated_answer_names_the_option_1_0_0_showed_whatever_todays_bank_order():
    # Migration reads only the legacy order, never today's bank: reordering (or rewriting)
    # a bank cannot change which option a 1.0.0 attempt chose. Where that option is still
    # in today's bank, scoring the migrated answer gives that option's own feedback.
    for module, questions in LEGACY["modules"].items():
        for question_id, order in questions.items():
            for index, option_id in enumerate(order):
                assert answer_by_id(module, question_id, index) == option_id
                assert answer_by_id(module, question_id, [index]) == [option_id]
            try:
                question = load_bank(module).get(question_id)
            except Exception:  # noqa: BLE001 - a question retired since 1.0.0
                continue
            for option in question.options:
                if option.id in order and question.type != "multiple":
                    migrated = answer_by_id(module, question_id, order.index(option.id))
                    assert score(question, migrated).feedback[0].text == option.text


def test_1_0_times_and_finished_stamps_are_kept_but_count_for_nothing(tmp_path):
    s = store(tmp_path, [])
    s.path.write_text(json.dumps(v1_record()), encoding="utf-8")
    entry = s.load()["modules"]["01"]
    assert entry["first_opened"] == "2026-11-30T09:00:00+00:00"
    assert entry["recorded_by_1_0"]["seconds"] == 2.7 and "finished" in entry["recorded_by_1_0"]
    assert "completed" not in entry and "sittings" not in entry


def test_the_original_is_kept_once_and_the_migrated_file_is_written_so_it_happens_only_once(tmp_path):
    messages = []
    s = store(tmp_path, messages)
    original = json.dumps(v1_record())
    s.path.write_text(original, encoding="utf-8")
    s.load()
    assert (tmp_path / "progress.json.v1.bak").read_text(encoding="utf-8") == original
    assert len(messages) == 1 and "earlier version" in messages[0] and "progress.json.v1.bak" in messages[0]
    assert json.loads(s.path.read_text(encoding="utf-8"))["schema"] == SCHEMA_VERSION
    s.record_attempt("01", "hair-ratio", 667.0, True)  # later changes see the migrated record
    assert len(messages) == 1 and len(s.load()["attempts"]) == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == [".progress.json.lock", "progress.json",
                                                          "progress.json.v1.bak"]


def test_a_version_1_file_without_a_schema_stamp_is_migrated_too():
    unstamped = {"learner": {"name": "A"}, "modules": {"01": {"seconds": 5.0}}, "attempts": [], "reflections": {}}
    assert needs_migration(unstamped)
    migrated = migrate(unstamped)
    assert migrated["schema"] == SCHEMA_VERSION and migrated["modules"]["01"] == {"recorded_by_1_0": {"seconds": 5.0}}


def test_a_file_from_a_newer_course_is_read_as_it_is_and_its_unknown_parts_survive_a_write(tmp_path):
    messages = []
    s = store(tmp_path, messages)
    newer = {"schema": SCHEMA_VERSION + 1, "learner": {"name": "A", "registration": ""}, "modules": {},
             "attempts": [], "reflections": {}, "evaluation": {}, "badges": ["early-bird"]}
    s.path.write_text(json.dumps(newer), encoding="utf-8")
    assert not needs_migration(newer)
    s.record_attempt("01", "q", "x", True)
    data = json.loads(s.path.read_text(encoding="utf-8"))
    assert data["badges"] == ["early-bird"] and data["schema"] == SCHEMA_VERSION + 1 and messages == []


def test_an_old_file_that_cannot_be_converted_is_set_aside_not_deleted(tmp_path):
    messages = []
    s = store(tmp_path, messages)
    broken = json.dumps({"name": "A", "minutes": {"01": "forty"}})
    s.path.write_text(broken, encoding="utf-8")
    assert s.load()["learner"]["name"] == ""
    assert (tmp_path / "progress.json.bak").read_text(encoding="utf-8") == broken
    assert "could not be converted" in messages[0]
