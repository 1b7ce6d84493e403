"""course/progress.py, older records: a progress file from an earlier course version is
migrated, never lost (the original is kept beside it)."""
import json

from course._progress import SCHEMA_VERSION, ProgressStore, migrate, needs_migration

# What the pre-release course (schema 0, unversioned) wrote: one flat object.
SCHEMA_0 = {
    "name": "Alex Morgan",
    "registration": "NMC 12A3456B",
    "completed": {"01": "2024-11-02T10:40:00+00:00"},
    "minutes": {"01": 38, "02": 12.5},
    "quiz": {"01": {"ev-definition": True, "small-ev-size": False}},
    "reflections": {"01": "Size alone cannot tell an EV from a lipoprotein."},
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
    assert data["modules"]["01"] == {"seconds": 38 * 60.0, "finished": "2024-11-02T10:40:00+00:00"}
    assert data["modules"]["02"] == {"seconds": 750.0}
    assert {(a["question"], a["correct"]) for a in data["attempts"]} == {("ev-definition", True),
                                                                         ("small-ev-size", False)}
    assert data["reflections"]["01"]["learned"] == SCHEMA_0["reflections"]["01"]
    assert data["migrated_from"]["schema"] == 0


def test_the_original_is_kept_once_and_the_migrated_file_is_written_so_it_happens_only_once(tmp_path):
    messages = []
    s = store(tmp_path, messages)
    original = json.dumps(SCHEMA_0)
    s.path.write_text(original, encoding="utf-8")
    s.load()
    assert (tmp_path / "progress.json.v0.bak").read_text(encoding="utf-8") == original
    assert len(messages) == 1 and "earlier version" in messages[0] and "progress.json.v0.bak" in messages[0]
    assert json.loads(s.path.read_text(encoding="utf-8"))["schema"] == SCHEMA_VERSION
    s.record_attempt("01", "hair-ratio", "667", True)  # later changes see the migrated record
    assert len(messages) == 1 and len(s.load()["attempts"]) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["progress.json", "progress.json.v0.bak"]


def test_a_current_file_without_a_schema_stamp_is_stamped_and_otherwise_unchanged():
    unstamped = {"learner": {"name": "A"}, "modules": {"01": {"seconds": 5.0}}, "attempts": [], "reflections": {}}
    assert needs_migration(unstamped)
    assert migrate(unstamped) == {**unstamped, "schema": SCHEMA_VERSION}


def test_a_file_from_a_newer_course_is_read_as_it_is_and_its_unknown_parts_survive_a_write(tmp_path):
    messages = []
    s = store(tmp_path, messages)
    newer = {"schema": SCHEMA_VERSION + 1, "learner": {"name": "A", "registration": ""}, "modules": {},
             "attempts": [], "reflections": {}, "evaluation": {}, "badges": ["early-bird"]}
    s.path.write_text(json.dumps(newer), encoding="utf-8")
    assert not needs_migration(newer)
    s.record_attempt("01", "q", 1, True)
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
