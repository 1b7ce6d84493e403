"""The sandbox for code that must run (issue 8.1): what such code can and cannot reach.

No assessment runs learner code; these tests are the specification for an item that
would. Each hostile cell below is what a dishonest learner would try; each test states
what must still hold afterwards. The sandbox needs Linux namespaces and root: where it
cannot run, the tests say so and skip, and the code is refused rather than run unconfined.
"""
from __future__ import annotations

import shutil
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import nbformat
import psutil
import pytest

from course._errors import ConfigurationError
from course.instructor import sandbox
from course.instructor.sandbox import SANDBOX_UID, Limits, run_cells, sandbox_unavailable
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(sandbox_unavailable() is not None, reason=f"{sandbox_unavailable()}")


@pytest.fixture
def outside_tmp() -> Iterator[Path]:
    """A folder outside /tmp (which the sandbox replaces anyway), world-readable as course folders often are."""
    folder = ROOT / "build" / f"sandbox-test-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True)
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def texts(outputs: list[dict]) -> str:
    """Everything a cell showed, as one string."""
    shown = []
    for output in outputs:
        shown.append(output.get("text", ""))
        shown.append(output.get("data", {}).get("text/plain", ""))
        shown.append(f"{output.get('ename', '')}: {output.get('evalue', '')}")
    return "\n".join(shown)


def survivors(marker: str) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if marker in " ".join(process.info["cmdline"] or []):
            found.append(process)
    return found


def test_honest_cells_run_in_order_and_give_notebook_outputs() -> None:
    run = run_cells(["x = 6\nprint('six', x)", "x * 7", "import os; os.getuid(), sorted(os.listdir('.'))",
                     "1 / 0", "'still runs after an error'"])
    assert run.ok, run.message
    printed, result, who, error, after = run.outputs
    assert printed == [{"output_type": "stream", "name": "stdout", "text": "six 6\n"}]
    assert result[0]["output_type"] == "execute_result" and result[0]["data"]["text/plain"] == "42"
    assert who[0]["data"]["text/plain"] == f"({SANDBOX_UID}, [])"        # its own user, an empty folder
    assert error[0]["output_type"] == "error" and error[0]["ename"] == "ZeroDivisionError"
    assert "still runs" in texts(after)
    for outputs in run.outputs:
        for output in outputs:
            nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[output])]))


def test_the_course_folder_the_home_folder_and_tmp_are_out_of_sight(outside_tmp: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    course, home = outside_tmp / "course", outside_tmp / "home"
    (course / "assessments").mkdir(parents=True)
    key = course / "assessments" / "01_x.yml"
    key.write_text("key: B\n")
    roster = course / "learners.csv"
    roster.write_text("learner,name\nada,Ada Lovelace\n")
    signing = home / ".config" / "exosome-reality-check" / "certificate-signing-key.pem"
    signing.parent.mkdir(parents=True)
    signing.write_text("PRIVATE KEY\n")
    for path in (key, roster, signing):
        path.chmod(0o644)                          # readable by anyone: only the sandbox hides them
    for folder in (course, course / "assessments", home, signing.parent, signing.parent.parent):
        folder.chmod(0o777)                        # writable by anyone, likewise
    in_tmp = tmp_path / "other-learner.ipynb"
    in_tmp.write_text("{}")
    in_tmp.chmod(0o644)
    tmp_path.chmod(0o777)
    monkeypatch.setenv("HOME", str(home))
    before = {p: p.read_bytes() for p in (key, roster, signing, in_tmp)}

    probes = [str(p) for p in (key, roster, signing, in_tmp)]
    cell = (f"import os\nfound = []\nfor path in {probes!r}:\n"
            "    try:\n        found.append(open(path).read())\n    except OSError as error:\n"
            "        found.append(type(error).__name__)\n"
            "    try:\n        open(path, 'w').write('overwritten')\n    except OSError:\n        pass\n"
            "    try:\n        open(os.path.join(os.path.dirname(path), 'planted.py'), 'w').write('x')\n"
            "    except OSError:\n        pass\n"
            "found")
    run = run_cells([cell], hide=[course])
    assert run.ok, run.message
    shown = texts(run.outputs[0])
    for secret in ("key: B", "Ada Lovelace", "PRIVATE KEY", "{}"):
        assert secret not in shown, f"the code read {secret!r}"
    assert {p: p.read_bytes() for p in before} == before
    for folder in (course, course / "assessments", home, signing.parent, tmp_path):
        assert not (folder / "planted.py").exists(), f"the code wrote into {folder}"


def test_the_instructors_environment_does_not_go_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXOCOURSE_DB_URL", "postgresql://grader:s3cret@db/exo")
    run = run_cells(["import os; sorted(os.environ)"])
    assert run.ok and "EXOCOURSE_DB_URL" not in texts(run.outputs[0]) and "s3cret" not in texts(run.outputs[0])


def test_there_is_no_network_not_even_the_graders_own_machine() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(5)
    port = server.getsockname()[1]
    accepted: list[object] = []

    def accept() -> None:
        try:
            accepted.append(server.accept())
        except OSError:
            pass

    listener = threading.Thread(target=accept)
    listener.start()
    run = run_cells([f"import socket\ns = socket.socket()\ns.settimeout(3)\ntry:\n"
                     f"    s.connect(('127.0.0.1', {port})); print('connected')\n"
                     "except OSError as error:\n    print('refused:', type(error).__name__)"])
    listener.join()
    server.close()
    assert run.ok, run.message
    assert "connected" not in texts(run.outputs[0]) and not accepted


def test_nothing_it_starts_outlives_it_however_it_detaches() -> None:
    marker = f"{uuid.uuid4().int % 1000}.4242"
    cell = ("import os, subprocess\n"
            f"sleepers = [subprocess.Popen(['sleep', '{marker}'], start_new_session=True) for _ in range(20)]\n"
            "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
            f"        os.execvp('sleep', ['sleep', '{marker}'])\n    os._exit(0)\n"
            "len(sleepers)")
    run = run_cells([cell], Limits(processes=64))
    assert run.ok, run.message
    assert "20" in texts(run.outputs[0])                          # they did start
    assert survivors(marker) == []


def test_an_endless_loop_is_stopped_at_the_time_limit_with_everything_it_started() -> None:
    marker = f"{uuid.uuid4().int % 1000}.4343"
    run = run_cells([f"import subprocess; subprocess.Popen(['sleep', '{marker}'], start_new_session=True)",
                     "while True: pass"], Limits(wall_seconds=3, cpu_seconds=60))
    assert run.status == "timeout" and "3 s" in run.message
    assert survivors(marker) == []


def test_cpu_time_is_limited_apart_from_wall_time() -> None:
    run = run_cells(["while True: pass"], Limits(cpu_seconds=1, wall_seconds=30))
    assert run.status == "failed" and "CPU time" in run.message


def test_memory_is_limited() -> None:
    run = run_cells(["block = bytearray(2 * 1024 ** 3)", "'after'"], Limits(memory_mb=512))
    assert run.ok, run.message
    assert run.outputs[0][0]["ename"] == "MemoryError" and "after" in texts(run.outputs[1])


def test_processes_are_limited() -> None:
    cell = ("import os, time\nstarted = 0\ntry:\n    for _ in range(200):\n        if os.fork() == 0:\n"
            "            time.sleep(5); os._exit(0)\n        started += 1\n"
            "except OSError as error:\n    print('stopped:', type(error).__name__)\nstarted")
    run = run_cells([cell], Limits(processes=16))
    assert run.ok, run.message
    shown = texts(run.outputs[0])
    assert "stopped: BlockingIOError" in shown and int(run.outputs[0][-1]["data"]["text/plain"]) < 16


def test_os_exit_ends_only_the_run_and_says_how() -> None:
    run = run_cells(["import os; os._exit(3)", "'never'"])
    assert run.status == "failed" and "exited with status 3" in run.message and run.outputs == []


def test_where_confinement_is_impossible_the_code_is_refused_not_run(monkeypatch: pytest.MonkeyPatch,
                                                                      outside_tmp: Path) -> None:
    monkeypatch.setattr(sandbox.os, "geteuid", lambda: 1000)
    planted = outside_tmp / "ran"
    with pytest.raises(ConfigurationError, match="needs root"):
        run_cells([f"open({str(planted)!r}, 'w')"])
    assert not planted.exists()


def test_the_nbgrader_step_puts_the_sandboxes_outputs_in_the_notebook(outside_tmp: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from nbgrader.utils import determine_grade

    from course.instructor.sandboxed_execute import SandboxedExecute

    (outside_tmp / "gradebook.db").write_text("rows")
    monkeypatch.chdir(outside_tmp)                  # nbgrader runs in the course folder
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import os\nanswer = len(os.listdir('.'))"),
        nbformat.v4.new_code_cell("assert answer == 0", metadata={"nbgrader": {
            "grade": True, "solution": False, "locked": True, "grade_id": "t1", "points": 1}}),
        nbformat.v4.new_code_cell("assert os.path.exists('gradebook.db')", metadata={"nbgrader": {
            "grade": True, "solution": False, "locked": True, "grade_id": "t2", "points": 1}}),
    ])
    nb, _ = SandboxedExecute(timeout=20).preprocess(nb, {})
    assert determine_grade(nb.cells[1]) == (1, 1)
    assert determine_grade(nb.cells[2]) == (0, 1)       # the course folder is not there to find
    assert (outside_tmp / "gradebook.db").read_text() == "rows"
