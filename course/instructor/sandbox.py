"""Running code the course did not write, where it can touch nothing else.

No item of this course runs a learner's code at grading: every answer is read as text
(``course.instructor.grading``). An item that must execute code (a future coding exercise,
or an instructor's own check on a notebook) runs here instead, never in the grader's
process and never in a kernel with the instructor's rights:

1. **its own copy only**: the cell sources go in on standard input; the code runs in an
   empty folder of its own, with ``/tmp``, ``/var/tmp`` and ``/dev/shm`` replaced by empty
   private ones, and the course folder, the instructor's home (where the signing key lives)
   and any other folder named in ``hide`` covered by empty ones: no key, no roster, no
   gradebook, no other learner's submission is there to read or write;
2. **its own identity**: an unprivileged user id of its own (``SANDBOX_UID``), with no
   groups, no capabilities and no way to gain any (``setpriv --no-new-privs``);
3. **no network**: an empty network namespace (not even loopback is up);
4. **limits** set before any of its code runs: memory, processes, CPU time, file size,
   open files; and a wall-clock timeout kept by this process;
5. **nothing outlives it**: it runs as process 1 of a PID namespace of its own, so when
   it ends, or is killed at the timeout, the kernel kills everything it started, however
   it detached (``setsid``, double ``fork``, ``nohup``);
6. only its standard output comes back (capped by the file-size limit), read as JSON data.

It needs Linux namespaces and root (to mount the private folders and change identity);
``sandbox_unavailable()`` says in words why it cannot run here, and running code never
falls back to running it unconfined.

What it does not make trustworthy: a *score* computed by tests that run beside the
learner's code in the same interpreter (the learner's code can rewrite them). Grades come
from ``GradeAnswersFromKey``; the sandbox protects the machine, the course folder and the
other learners from code that must run.
"""
from __future__ import annotations

import functools
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course._errors import ConfigurationError

# A user id no account uses: files the sandbox could write belong to nobody real, and the
# process limit counts only the sandbox's own processes.
SANDBOX_UID = 64_321
TOOLS = ("unshare", "setpriv", "mount")


@dataclass(frozen=True)
class Limits:
    """What one run may use. The defaults suit a short exercise notebook."""
    memory_mb: int = 1024          # address space (RLIMIT_AS)
    processes: int = 32            # processes and threads of the sandbox's user (RLIMIT_NPROC)
    cpu_seconds: int = 30          # CPU time (RLIMIT_CPU)
    file_mb: int = 10              # largest file it may write, its output included (RLIMIT_FSIZE)
    open_files: int = 64           # RLIMIT_NOFILE
    wall_seconds: float = 60.0     # kept by the caller: the whole run is killed after this


@dataclass
class SandboxRun:
    """What came back: one list of nbformat outputs per cell that ran, and how it ended."""
    status: str                                   # "ok", "timeout" or "failed"
    message: str = ""                             # for "timeout"/"failed": what happened, in words
    outputs: list[list[dict[str, Any]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def sandbox_unavailable() -> str | None:
    """None if code can be run confined here, else why not (one sentence for an instructor)."""
    if not sys.platform.startswith("linux"):
        return "running code confined needs Linux namespaces; this machine is not Linux"
    if os.geteuid() != 0:
        return ("running code confined needs root (to give it an identity and folders of its own); "
                "run the step as root, e.g. in the course's container")
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        return f"running code confined needs util-linux's {', '.join(missing)} (Debian: apt-get install util-linux)"
    return _namespaces_refused()


@functools.cache
def _namespaces_refused() -> str | None:
    """Whether this machine lets root make the namespaces (a container may not)."""
    try:
        tried = subprocess.run(["unshare", "--mount", "--net", "--pid", "--ipc", "--uts", "--fork", "--mount-proc",
                                "--", "true"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"running code confined needs Linux namespaces, and trying one failed ({exc})"
    if tried.returncode != 0:
        said = (tried.stderr.strip().splitlines() or ["no reason given"])[-1]
        return f"running code confined needs Linux namespaces, which this machine refuses ({said})"
    return None


def run_cells(sources: list[str], limits: Limits = Limits(), hide: list[Path] | tuple[Path, ...] = ()) -> SandboxRun:
    """Run the code cells ``sources`` in order, confined, and return their outputs.

    ``hide``: folders the code must not see (the course folder, for one); the instructor's
    home folder is always hidden. Raises ``ConfigurationError`` where confinement is not
    possible here: the code is then not run at all.
    """
    reason = sandbox_unavailable()
    if reason:
        raise ConfigurationError(f"Cannot run this code safely: {reason}.")
    nonce = secrets.token_hex(16)
    plan = {"uid": SANDBOX_UID, "python": sys.executable, "runner": _RUNNER, "covers": _covers(hide),
            "tmp_mb": max(limits.file_mb * 2, 16)}
    command = ["unshare", "--mount", "--net", "--pid", "--ipc", "--uts", "--fork", "--kill-child",
               "--mount-proc", "--propagation", "private", "--",
               sys.executable, "-I", "-c", _SETUP, json.dumps(plan)]
    request = json.dumps({"cells": list(sources), "nonce": nonce, "limits": limits.__dict__})
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=out, stderr=err,
                                   start_new_session=True, env=_clean_env())
        try:
            assert process.stdin is not None
            try:
                process.stdin.write(request.encode("utf-8"))
                process.stdin.close()
            except BrokenPipeError:
                pass
            process.wait(timeout=limits.wall_seconds)
        except subprocess.TimeoutExpired:
            return SandboxRun("timeout", f"stopped after {limits.wall_seconds:g} s (the time limit)")
        finally:
            _kill(process)      # at the time limit, and after any other way out: nothing is left running
        return _result(out, err, nonce, process.returncode)


def _covers(hide: list[Path] | tuple[Path, ...]) -> list[dict[str, Any]]:
    """What to cover: each folder (an empty tmpfs over it) or file (/dev/null over it), and,
    for a folder that holds the Python the sandbox runs (a pyenv in the home folder, a venv
    in the course folder), the interpreter's own folders carried back in, read as they are."""
    needed = sorted({Path(p).resolve() for p in (sys.prefix, sys.base_prefix)})
    covers: list[dict[str, Any]] = []
    # A folder others may not enter on the way to the interpreter (/root, for a pyenv there):
    # covered too, with the interpreter carried back in, so the sandbox's user can run it.
    closed = [parent for n in needed for parent in reversed(n.parents) if not parent.stat().st_mode & 0o001]
    for folder in (Path.home(), *closed[:1], *hide):
        path = Path(folder).expanduser().resolve()
        if not path.exists() or path == Path("/") or any(c["path"] == str(path) for c in covers):
            continue
        keep = [str(n.relative_to(path)) for n in needed if path in n.parents]
        covers.append({"path": str(path), "folder": path.is_dir(), "keep": keep})
    return covers


def _clean_env() -> dict[str, str]:
    """The sandbox gets none of the instructor's environment (tokens, database URLs)."""
    return {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Kill the run, and return only once everything in its PID namespace is gone.

    Killing ``unshare`` alone ends the namespace's process 1 a moment later (its parent-death
    signal), and the kernel then ends the rest: asynchronously. So process 1 is killed
    directly and waited for: its exit completes only after every process of the namespace
    has been killed.
    """
    if process.poll() is not None:
        return
    inits = _children(process.pid)
    for pid in inits:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in inits) and time.monotonic() < deadline:
        time.sleep(0.01)


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (read from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            # the command name (field 2) may hold spaces and parentheses: read after the last ')'
            fields = stat[stat.rfind(")") + 2:].split()
            if len(fields) > 1 and fields[1] == str(pid):
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    """True while ``pid`` runs or is exiting; a zombie (exit complete, not yet reaped) is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2:].split()[0] not in ("Z", "X")


def _result(out: Any, err: Any, nonce: str, returncode: int | None) -> SandboxRun:
    out.seek(0)
    text = out.read().decode("utf-8", "replace")
    marker = f"\n{nonce} "
    at = ("\n" + text).rfind(marker)
    if at >= 0:
        line = ("\n" + text)[at + len(marker):].split("\n", 1)[0]
        try:
            outputs = json.loads(line)
        except json.JSONDecodeError:
            outputs = None
        if isinstance(outputs, list) and all(isinstance(cell, list) for cell in outputs):
            return SandboxRun("ok", "", outputs)
    err.seek(0)
    said = err.read(2000).decode("utf-8", "replace").strip().splitlines()
    how = _how_it_ended(returncode)
    last = f" ({said[-1][:200]})" if said else ""
    return SandboxRun("failed", f"the code ended the run before it finished: {how}{last}")


def _how_it_ended(returncode: int | None) -> str:
    if returncode is None:
        return "it did not end"
    if returncode < 0 or returncode > 128:
        number = -returncode if returncode < 0 else returncode - 128
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        reasons = {"SIGXCPU": "it used up its CPU time", "SIGXFSZ": "it wrote more than the file-size limit",
                   "SIGKILL": "it was killed"}
        return reasons.get(name, f"it was stopped by {name}")
    return f"it exited with status {returncode}"


# Runs as root inside the new namespaces: private /tmp, the covers, an empty folder for the
# code; then starts the runner as the sandbox's user, with no groups, capabilities or way to
# gain any, and waits for it.
_SETUP = r'''
import json, os, subprocess, sys
plan = json.loads(sys.argv[1])
def mount(*args):
    subprocess.run(["mount", *args], check=True)
for folder in ("/tmp", "/var/tmp", "/dev/shm"):
    if os.path.isdir(folder):
        mount("-t", "tmpfs", "-o", "size=%dm,mode=1777" % plan["tmp_mb"], "sandbox-tmp", folder)
os.mkdir("/tmp/.kept", 0o700)
for number, cover in enumerate(plan["covers"]):
    path, keep = cover["path"], cover["keep"]
    staging = "/tmp/.kept/%d" % number
    if keep:
        os.mkdir(staging, 0o700)
        mount("--bind", path, staging)
    if cover["folder"]:
        mount("-t", "tmpfs", "-o", "size=1m,mode=0755", "sandbox-hidden", path)
    else:
        mount("--bind", "/dev/null", path)
    for inner in keep:
        target = os.path.join(path, inner)
        os.makedirs(target, mode=0o755, exist_ok=True)
        mount("--bind", os.path.join(staging, inner), target)
    if keep:
        subprocess.run(["umount", staging], check=True)
os.mkdir("/tmp/work", 0o700)
os.chown("/tmp/work", plan["uid"], plan["uid"])
os.chdir("/tmp/work")
uid = str(plan["uid"])
runner = os.fork()
if runner == 0:
    os.execvp("setpriv", ["setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--no-new-privs",
                          "--inh-caps=-all", "--bounding-set=-all", "env", "-i", "HOME=/tmp/work",
                          "IPYTHONDIR=/tmp/.ipython", "PATH=/usr/bin:/bin", "LANG=C.UTF-8",
                          plan["python"], "-I", "-c", plan["runner"]])
# This process is the PID namespace's process 1: it says how the runner ended, and its own
# end ends everything the runner started.
_, status = os.waitpid(runner, 0)
os._exit(128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status))
'''

# The program the sandbox runs (as ``python -I -c``): the limits first, then each cell in an
# IPython shell of its own, outputs collected as nbformat outputs. Only the last line it
# writes, after the nonce it was given, is read back.
_RUNNER = r'''
import json, os, resource, sys
request = json.loads(sys.stdin.read())
limits = request["limits"]
MB = 1024 * 1024
for name, value in (("RLIMIT_AS", limits["memory_mb"] * MB), ("RLIMIT_NPROC", limits["processes"]),
                    ("RLIMIT_CPU", limits["cpu_seconds"]), ("RLIMIT_FSIZE", limits["file_mb"] * MB),
                    ("RLIMIT_NOFILE", limits["open_files"]), ("RLIMIT_CORE", 0)):
    # CPU: SIGXCPU at the soft limit (said as such), SIGKILL a second later if it is ignored.
    resource.setrlimit(getattr(resource, name), (value, value + 1 if name == "RLIMIT_CPU" else value))
nonce = request.pop("nonce")
real_stdout = os.dup(1)
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
shell = InteractiveShell.instance(colors="nocolor")
shell.displayhook.write_output_prompt = lambda: None
shell.displayhook.write_format_data = lambda *args, **kwargs: None
errors = []
shell._showtraceback = lambda etype, evalue, stb: errors.append((etype.__name__, str(evalue), stb))
results = []
for source in request.pop("cells"):
    errors.clear()
    outputs = []
    with capture_output() as captured:
        result = shell.run_cell(source, store_history=True)
    if captured.stdout:
        outputs.append({"output_type": "stream", "name": "stdout", "text": captured.stdout})
    if captured.stderr:
        outputs.append({"output_type": "stream", "name": "stderr", "text": captured.stderr})
    for shown in captured.outputs:
        outputs.append({"output_type": "display_data", "data": shown.data, "metadata": shown.metadata or {}})
    if result.result is not None:
        text = repr(result.result)[:10000]
        outputs.append({"output_type": "execute_result", "execution_count": None,
                        "data": {"text/plain": text}, "metadata": {}})
    for ename, evalue, stb in errors:
        outputs.append({"output_type": "error", "ename": ename, "evalue": evalue, "traceback": stb})
    results.append(outputs)
os.write(real_stdout, ("\n" + nonce + " " + json.dumps(results, default=str) + "\n").encode("utf-8"))
'''
