"""course/_progress.py: the learner's record survives anything a file system can do to it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from course import _progress
from course._progress import ProgressStore, default_store, where
from course._progress_schema import empty_record
from tests.conftest import ROOT


def store(tmp_path, messages=None):
    return ProgressStore(tmp_path / "progress.json", notify=(messages.append if messages is not None else None))


def test_default_store_lives_in_exocourse_home(learner_home):
    assert default_store().path == learner_home / "progress.json"


def test_a_missing_file_is_an_empty_record_and_nothing_is_written(tmp_path):
    s = store(tmp_path)
    assert s.load() == empty_record()
    assert not s.path.exists()


def test_attempts_reflections_sittings_and_completion_accumulate_across_store_objects(tmp_path):
    store(tmp_path).record_attempt("01", "ev-term", "small-ev", True)
    store(tmp_path).save_reflection("01", {"activity": "a", "learned": "b", "changed": "c", "code": "d"})
    store(tmp_path).mark_opened("01")
    store(tmp_path).save_sitting("01", {"id": "k1", "began": "2026-12-01T09:00:00+00:00",
                                        "last": "2026-12-01T09:20:00+00:00", "seconds": 1200.0, "actions": 30})
    store(tmp_path).mark_complete("01", {"active_minutes": 20.0})
    data = store(tmp_path).load()
    assert [a["answer"] for a in data["attempts"]] == ["small-ev"]
    assert data["reflections"]["01"]["learned"] == "b" and data["reflections"]["01"]["saved"]
    entry = data["modules"]["01"]
    assert entry["first_opened"] and entry["sittings"][0]["seconds"] == 1200.0
    assert entry["completed"] and entry["completed_with"] == {"active_minutes": 20.0}


def test_a_sitting_written_again_replaces_its_earlier_figures(tmp_path):
    s = store(tmp_path)
    for seconds in (10.0, 25.0):
        s.save_sitting("01", {"id": "k1", "began": "2026-12-01T09:00:00+00:00", "last": "2026-12-01T09:01:00+00:00",
                              "seconds": seconds, "actions": 2})
    assert [x["seconds"] for x in s.load()["modules"]["01"]["sittings"]] == [25.0]


def test_marking_complete_twice_keeps_the_first_date(tmp_path):
    s = store(tmp_path)
    first = s.mark_complete("01", {})
    s.update(lambda d: d["modules"]["01"].__setitem__("completed", "2026-01-01T00:00:00+00:00"))
    assert s.mark_complete("01", {}) == "2026-01-01T00:00:00+00:00" != first


def test_a_corrupt_file_is_kept_as_bak_with_a_one_line_message_and_a_fresh_record_starts(tmp_path):
    messages = []
    s = store(tmp_path, messages)
    s.record_attempt("01", "a", "x", False)
    s.path.write_text('{"attempts": [', encoding="utf-8")
    s.record_attempt("01", "b", "y", True)
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


def test_a_deleted_file_between_two_cells_just_starts_again(tmp_path):
    s = store(tmp_path, [])
    s.record_attempt("01", "a", "x", True)
    os.remove(s.path)
    s.record_attempt("01", "b", "x", True)
    assert [a["question"] for a in s.load()["attempts"]] == ["b"]


def test_writes_leave_only_the_record_and_its_lock(tmp_path):
    s = store(tmp_path)
    for i in range(20):
        s.record_attempt("01", f"q{i}", "x", True)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".progress.json.lock", "progress.json"]
    assert len(json.loads(s.path.read_text())["attempts"]) == 20


def test_temporary_files_left_by_killed_writers_are_removed_by_the_next_write_however_new(tmp_path):
    s = store(tmp_path)
    s.record_attempt("01", "a", "x", True)
    for n in range(3):  # what a writer killed mid-write leaves: fresh, so age cannot tell
        (tmp_path / f".progress.json.dead{n}.tmp").write_text('{"attem')
    s.record_attempt("01", "b", "x", True)
    assert not list(tmp_path.glob("*.tmp"))
    assert len(s.load()["attempts"]) == 2


def test_the_shuffle_seed_is_made_once_kept_in_the_record_and_read_back_after_a_restart(tmp_path):
    seed = store(tmp_path).shuffle_seed()
    assert store(tmp_path).shuffle_seed() == seed
    _progress._SEEDS.clear()  # a new kernel
    assert store(tmp_path).shuffle_seed() == seed == json.loads((tmp_path / "progress.json").read_text())["shuffle_seed"]


# ---------------------------------------------------------------- an unwritable or full home
def test_an_unwritable_home_keeps_the_lesson_working_in_memory_with_one_message_naming_a_way_out(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the record's folder should be")
    messages = []
    s = ProgressStore(blocked / "progress.json", notify=messages.append)
    s.record_attempt("01", "a", "x", True)
    s.save_reflection("01", {"learned": "kept"})
    s.record_attempt("01", "b", "y", False)
    data = s.load()
    assert [a["question"] for a in data["attempts"]] == ["a", "b"]
    assert data["reflections"]["01"]["learned"] == "kept" and s.unsaved
    assert len(messages) == 1 and "cannot be saved" in messages[0] and "EXOCOURSE_HOME" in messages[0]
    assert str(blocked) in messages[0] and "\n" not in messages[0]


def test_a_record_held_by_another_lesson_for_too_long_is_kept_in_memory_and_written_after(tmp_path, monkeypatch):
    monkeypatch.setattr(_progress, "LOCK_TIMEOUT_SECONDS", 0.5)
    messages = []
    s = store(tmp_path, messages)
    s.record_attempt("01", "a", "x", True)
    lock = tmp_path / ".progress.json.lock"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import fcntl, sys, time
        handle = open({str(lock)!r}, "a")
        fcntl.flock(handle, fcntl.LOCK_EX)
        print("held", flush=True)
        time.sleep(3)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        s.record_attempt("01", "b", "x", True)            # waits 0.5 s, then keeps it in memory
        assert s.unsaved and "held the record for over 0.5 seconds" in messages[-1]
        assert [a["question"] for a in json.loads((tmp_path / "progress.json").read_text())["attempts"]] == ["a"]
    finally:
        holder.wait()
    s.record_attempt("01", "c", "x", True)
    assert [a["question"] for a in json.loads((tmp_path / "progress.json").read_text())["attempts"]] == ["a", "b", "c"]


def test_work_kept_in_memory_is_written_once_the_home_can_be_written_again(tmp_path):
    home = tmp_path / "home"
    home.write_text("in the way")
    messages = []
    s = ProgressStore(home / "progress.json", notify=messages.append)
    s.record_attempt("01", "a", "x", True)
    home.unlink()                               # the learner fixed it
    s.record_attempt("01", "b", "x", True)
    assert not s.unsaved
    assert [a["question"] for a in json.loads((home / "progress.json").read_text())["attempts"]] == ["a", "b"]
    assert "saved again" in messages[-1] and "nothing was lost" in messages[-1]


def _without_root_file_powers() -> None:
    """In the child, before it starts Python: give up root's power to ignore file permissions
    (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so a read-only folder is read-only for it too."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop = 24
    for capability in (1, 2):
        if libc.prctl(pr_capbset_drop, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def _run_as_learner(code: str, home: Path, *, as_plain_user: bool = False, file_size_limit: int | None = None) -> dict:
    """Run ``code`` in a fresh Python with the course, as the learner's kernel would; it prints JSON."""
    prelude = textwrap.dedent(f"""
        import json, resource, signal, sys
        if {file_size_limit!r} is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)    # a refused write is an error, not a kill
            resource.setrlimit(resource.RLIMIT_FSIZE, ({file_size_limit!r}, {file_size_limit!r}))
        messages = []
        from course._progress import ProgressStore
        store = ProgressStore({str(home / 'progress.json')!r}, notify=messages.append)
    """)
    done = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          preexec_fn=_without_root_file_powers if as_plain_user else None, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def read_only_home():
    """A learner's home they cannot write to (as root, the learner's Python runs without root's file powers)."""
    parent = Path(tempfile.mkdtemp(prefix="erc-readonly-"))
    home = parent / "home"
    home.mkdir()
    ProgressStore(home / "progress.json").record_attempt("01", "before", "x", True)
    parent.chmod(0o755)
    home.chmod(0o555)
    (home / "progress.json").chmod(0o444)
    yield home
    home.chmod(0o755)
    import shutil
    shutil.rmtree(parent)


def test_a_read_only_home_keeps_what_was_saved_and_the_lesson_going(read_only_home):
    result = _run_as_learner("""
        store.record_attempt("01", "after", "x", True)
        store.save_reflection("01", {"learned": "still here"})
        data = store.load()
        print(json.dumps({"questions": [a["question"] for a in data["attempts"]], "messages": messages,
                          "reflection": data["reflections"]["01"]["learned"]}))
    """, read_only_home, as_plain_user=os.getuid() == 0)
    assert result["questions"] == ["before", "after"] and result["reflection"] == "still here"
    [message] = result["messages"]
    assert "cannot be saved" in message and "read-only" in message and "EXOCOURSE_HOME" in message
    assert json.loads((read_only_home / "progress.json").read_text())["attempts"][0]["question"] == "before"


def test_a_write_refused_half_way_leaves_the_saved_record_whole(tmp_path):
    """A full disk (here: a file-size limit the record outgrows) during a write."""
    s = store(tmp_path)
    for i in range(50):
        s.record_attempt("01", f"q{i}", "x", True)
    before = s.path.read_text()
    result = _run_as_learner("""
        store.record_attempt("01", "big", "x" * 20000, True)
        print(json.dumps({"count": len(store.load()["attempts"]), "messages": messages}))
    """, tmp_path, file_size_limit=len(before.encode()) + 4000)
    assert result["count"] == 51                                 # the lesson still has it, in memory
    assert len(result["messages"]) == 1 and "cannot be saved" in result["messages"][0]
    assert s.path.read_text() == before                          # the saved record is untouched
    assert not list(tmp_path.glob("*.tmp"))


def test_a_really_full_disk_is_named_as_such(tmp_path):
    mount = tmp_path / "small-disk"
    mount.mkdir()
    if os.getuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", str(mount)],
                                          capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root); the file-size test covers a refused write")
    try:
        messages = []
        s = ProgressStore(mount / "progress.json", notify=messages.append)
        s.record_attempt("01", "small", "x", True)
        before = s.path.read_text()
        s.save_reflection("01", {"learned": "y" * 60_000})
        assert s.path.read_text() == before and s.load()["reflections"]["01"]["learned"] == "y" * 60_000
        assert len(messages) == 1 and "the disk is full" in messages[0]
        assert not list(mount.glob("*.tmp"))
    finally:
        subprocess.run(["umount", str(mount)], check=True)


# ---------------------------------------------------------------- the browser edition (Pyodide)
def test_in_the_browser_the_record_lives_under_drive_and_messages_say_it_is_kept_in_the_browser(monkeypatch):
    monkeypatch.setattr(sys, "platform", "emscripten")
    monkeypatch.delenv("EXOCOURSE_HOME")
    assert default_store().path == Path("/drive/.exosome-reality-check/progress.json")
    assert where(Path("/drive/.exosome-reality-check/progress.json.bak")) == (
        ".exosome-reality-check/progress.json.bak (kept in this browser, for this site)")
    assert "lost when the page is closed" in where(Path("/home/pyodide/progress.json"))


def test_in_the_browser_there_is_one_process_so_the_lock_is_a_no_op(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "platform", "emscripten")
    s = store(tmp_path)
    s.record_attempt("01", "a", "x", True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["progress.json"]  # no lock file
