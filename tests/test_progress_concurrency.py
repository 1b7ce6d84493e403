"""course/_progress.py under real concurrency: several kernels (processes) writing one record
at once keep every attempt, and writers killed mid-write leave a readable record and no
temporary files."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from course._progress import ProgressStore
from tests.conftest import ROOT

WRITER = textwrap.dedent("""
    import sys
    from course._progress import ProgressStore
    store = ProgressStore(sys.argv[1], notify=lambda message: print(message, file=sys.stderr))
    name, count = sys.argv[2], int(sys.argv[3])
    sys.stdout.write("ready\\n"); sys.stdout.flush()
    sys.stdin.readline()                                  # start together
    for n in range(count):
        store.record_attempt("01", f"{name}-{n}", "x", n % 2 == 0)
""")


def writers(path: Path, count: int, attempts: int) -> list[subprocess.Popen]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), f"w{i}", str(attempts)], cwd=ROOT, env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(count)]
    for proc in procs:
        assert proc.stdout.readline().strip() == "ready"
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    return procs


@pytest.mark.parametrize("processes,attempts", [(2, 200), (4, 100)])
def test_kernels_writing_at_once_keep_every_attempt(tmp_path, processes, attempts):
    path = tmp_path / "progress.json"
    for proc in writers(path, processes, attempts):
        _, errors = proc.communicate(timeout=300)
        assert proc.returncode == 0 and errors == "", errors
    questions = [a["question"] for a in json.loads(path.read_text())["attempts"]]
    assert len(questions) == processes * attempts
    assert set(questions) == {f"w{i}-{n}" for i in range(processes) for n in range(attempts)}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".progress.json.lock", "progress.json"]


def test_writers_killed_mid_write_leave_a_readable_record_and_no_temporary_files(tmp_path):
    path = tmp_path / "progress.json"
    seed = ProgressStore(path)
    # A large record, so that each write takes long enough to be interrupted.
    seed.update(lambda d: d["attempts"].extend(
        {"module": "01", "question": f"old-{n}", "answer": "x" * 40, "correct": True,
         "at": "2026-12-01T09:00:00+00:00"} for n in range(3000)))
    rng = random.Random(9)
    for _ in range(12):
        [proc] = writers(path, 1, 10_000)
        time.sleep(rng.uniform(0.05, 0.4))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        data = json.loads(path.read_text())               # readable after every kill, never half a file
        assert len(data["attempts"]) >= 3000
    messages = []
    survivor = ProgressStore(path, notify=messages.append)
    survivor.record_attempt("01", "after", "x", True)     # the next writer tidies up
    assert messages == []
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob("*.bak"))
    assert survivor.load()["attempts"][-1]["question"] == "after"
