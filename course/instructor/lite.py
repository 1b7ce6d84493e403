"""The JupyterLite edition: the learner edition as a static web site that needs no server.

``make lite`` (``python -m course.instructor.lite``) writes ``build/lite/``: JupyterLab and
the Pyodide kernel as plain files, the lessons and the released assessments, and the
course library as a wheel that the kernel loads when it starts. Any static web host, an
intranet share or GitHub Pages can serve the folder; nothing in it calls another host.

Everything comes from the package registries, pinned in ``lite/``:

- ``lite/package.json`` + ``package-lock.json``: the Pyodide runtime (npm ``pyodide``, which
  carries the interpreter and its lock file but no wheels);
- ``lite/requirements.txt``: every pure-Python wheel the kernel loads (its own needs and the
  course's), and the two front-end extensions unpacked into the site, each with its sha256;
- ``lite/requirements-source.txt``: what is built into a pure wheel here (PyYAML);
- ``lite/jupyter-lite.json`` and ``lite/overrides.json``: the site's settings.

The kernel's lock file (``static/pyodide/pyodide-lock.json``) is rewritten to name exactly
the wheels the site serves, with their real hashes, and ``loadPyodideOptions.packages``
loads them all at kernel start, so micropip never looks anywhere else and the learner
runs no install cell.

The site is built from the learner edition (``course.instructor.publish``), so nothing of
the instructor's side can reach it, and the learner edition's leak audit then runs on the
finished site, including inside every wheel (a zip the audit could not read as text).

Builds are always clean (an incremental ``jupyter lite build`` once fell back to the CDN
after a settings change). Downloads are cached under ``~/.cache/exosome-reality-check/lite``
(``$EXOCOURSE_LITE_CACHE`` moves it), keyed by the hash of the pin files.
"""
from __future__ import annotations

import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import Parser
from pathlib import Path
from typing import Any

from course._errors import ConfigurationError
from course._syllabus import PROJECT_ROOT

LITE_CONFIG_DIR = "lite"
DEFAULT_DESTINATION = PROJECT_ROOT / "build" / "lite"
CACHE_ENV = "EXOCOURSE_LITE_CACHE"
MARKER = ".exosome-reality-check-lite.json"
COURSE_DISTRIBUTION = "exosome-reality-check"
KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"
START_PAGE = "modules/00_start_here.ipynb"
# The kernel installs these itself unless loadPyodideOptions.packages names them
# (jupyterlite-pyodide-kernel's worker checks these exact names).
KERNEL_PACKAGES = ("micropip", "piplite", "pyodide-kernel", "ipykernel", "comm", "jedi", "ipython")
# Packages the wheels ask for that the browser does without: Pillow has no Pyodide wheel on
# PyPI (fpdf2 needs it only for raster images, which the course's PDFs do not contain);
# jupyterlab_widgets is ipywidgets' front end, served as an extension instead.
NOT_NEEDED_IN_THE_BROWSER = frozenset({"pillow", "jupyterlab-widgets"})
# Labextensions the site carries, unpacked from these wheels (nothing else from sys.prefix:
# the instructor's nbgrader extensions must not reach learners).
FRONT_END_WHEELS = ("jupyterlite_pyodide_kernel", "jupyterlab_widgets", "plotly")
# The Pyodide runtime files the kernel loads (the npm package also has sources maps and demos).
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
# Pyodide's Python: the browser wheels are chosen and their markers evaluated for it.
BROWSER_PYTHON = "3.14"
BROWSER_MARKERS = {"sys_platform": "emscripten", "platform_system": "Emscripten", "os_name": "posix",
                   "platform_machine": "wasm32", "implementation_name": "cpython",
                   "platform_python_implementation": "CPython", "python_version": BROWSER_PYTHON,
                   "python_full_version": BROWSER_PYTHON + ".2"}

Progress = Callable[[str], None]


@dataclass
class Site:
    """What ``build_site`` wrote."""

    path: Path
    input_hash: str
    size_bytes: int = 0
    packages: list[str] = field(default_factory=list)
    notebooks: list[str] = field(default_factory=list)
    secrets_checked: int = 0


# ------------------------------------------------------------------ where things are
def cache_root() -> Path:
    """Where downloads (and, for the tests, whole sites) are kept between builds."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "exosome-reality-check" / "lite"


def config_dir(project_root: Path = PROJECT_ROOT) -> Path:
    folder = project_root / LITE_CONFIG_DIR
    if not (folder / "requirements.txt").is_file():
        raise ConfigurationError(f"The JupyterLite settings are missing ({folder}/requirements.txt): the site is "
                                 "built from the course repository, not from a learner edition.")
    return folder


def _digest(paths: Iterable[Path], root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(paths):
        if path.is_file() and not _skipped(path):
            h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _skipped(path: Path) -> bool:
    return any(part in {"__pycache__", ".ipynb_checkpoints", "node_modules"} for part in path.parts) \
        or path.suffix in {".pyc", ".pyo"}


def input_hash(project_root: Path = PROJECT_ROOT) -> str:
    """A hash of everything the site is built from: a cached site with this hash is this site."""
    root = project_root.resolve()
    inputs: list[Path] = []
    for name in ("course", "modules", "assets", "grading/source", LITE_CONFIG_DIR):
        folder = root / name
        if folder.is_dir():
            inputs.extend(folder.rglob("*"))
    inputs.extend(root / name for name in ("pyproject.toml", "grading/nbgrader_config.py"))
    return _digest(inputs, root)[:20]


# ------------------------------------------------------------------ the steps
def _run(command: list[str], what: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    try:
        done = subprocess.run(command, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise ConfigurationError(f"Could not {what}: {command[0]} is not installed. "
                                 + ("Install Node.js and npm (sudo apt-get install nodejs npm)."
                                    if command[0] == "npm" else "Run `make lite`, which installs what it needs.")) from exc
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-12:])
        raise ConfigurationError(f"Could not {what} (exit code {done.returncode}):\n{tail}")
    return done.stdout


def pyodide_runtime(config: Path, cache: Path) -> Path:
    """The npm ``pyodide`` package's folder, installed from the lockfile (``npm ci``) once per lock."""
    lock = config / "package-lock.json"
    key = _digest([config / "package.json", lock], config)[:16]
    folder = cache / "npm" / key
    runtime = folder / "node_modules" / "pyodide"
    if not (runtime / "pyodide-lock.json").is_file():
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy2(config / name, folder / name)
        _run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
             "install the Pyodide runtime from npm", cwd=folder)
    return runtime


def pinned_wheels(config: Path, cache: Path) -> list[Path]:
    """Every pinned wheel, downloaded (hash-checked) once per pin file, plus PyYAML built pure."""
    pins, sources = config / "requirements.txt", config / "requirements-source.txt"
    key = _digest([pins, sources], config)[:16]
    folder = cache / "wheels" / key
    done = folder / ".complete"
    if not done.is_file():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
        _run([*pip, "download", "--quiet", "--no-deps", "--require-hashes", "--only-binary=:all:",
              "--python-version", BROWSER_PYTHON, "--implementation", "py", "--abi", "none", "--platform", "any",
              "-d", str(folder), "-r", str(pins)], "download the pinned wheels from PyPI")
        sdists = folder / "sdist"
        _run([*pip, "download", "--quiet", "--no-deps", "--require-hashes", "--no-binary=:all:",
              "-d", str(sdists), "-r", str(sources)], "download the pinned source packages from PyPI")
        for sdist in sorted(sdists.iterdir()):
            # Without libyaml PyYAML builds as py3-none-any; a fixed date makes the wheel the same each time.
            _run([*pip, "wheel", "--quiet", "--no-deps", "--no-binary=:all:", "-w", str(folder), str(sdist)],
                 f"build {sdist.name} as a pure-Python wheel", env={"PYYAML_FORCE_LIBYAML": "0",
                                                                   "SOURCE_DATE_EPOCH": "1700000000"})
        shutil.rmtree(sdists)
        impure = [p.name for p in folder.glob("*.whl") if not p.name.endswith("-none-any.whl")]
        if impure:
            raise ConfigurationError(f"These wheels are not pure Python and cannot run in Pyodide: {', '.join(impure)}")
        done.write_text("ok\n")
    return sorted(folder.glob("*.whl"))


def learner_edition(project_root: Path, scratch: Path) -> Path:
    """What ``exocourse publish`` would ship: the site's only source of lessons, assessments and library."""
    from course.instructor.publish import publish

    return publish(scratch / "edition", project_root=project_root).path


def course_wheel(edition: Path, out: Path) -> Path:
    """The learner edition's library as a wheel, with the course's media inside it.

    An installed wheel has no top-level ``assets/``, so they travel as ``course/_bundled_assets/``
    (where ``course._assets.asset_path`` looks).
    """
    bundled = edition / "course" / "_bundled_assets"
    if (edition / "assets").is_dir() and not bundled.exists():
        shutil.copytree(edition / "assets", bundled)
    out.mkdir(parents=True, exist_ok=True)
    _run([sys.executable, "-m", "pip", "--disable-pip-version-check", "wheel", "--quiet", "--no-deps",
          "-w", str(out), str(edition)], "build the course library's wheel", env={"SOURCE_DATE_EPOCH": "1700000000"})
    wheels = sorted(out.glob("exosome_reality_check-*.whl"))
    if len(wheels) != 1:
        raise ConfigurationError(f"Building the course library gave {len(wheels)} wheels in {out}, not one.")
    if bundled.exists():
        with zipfile.ZipFile(wheels[0]) as archive:
            if not any(n.startswith("course/_bundled_assets/") for n in archive.namelist()):
                _add_to_wheel(wheels[0], bundled, "course/_bundled_assets")
    return wheels[0]


def _add_to_wheel(wheel: Path, folder: Path, prefix: str) -> None:
    """Put ``folder``'s files into ``wheel`` under ``prefix``, keeping RECORD true (hashes and sizes)."""
    import base64

    with zipfile.ZipFile(wheel) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    record_name = next(n for n in members if n.endswith(".dist-info/RECORD"))
    lines = [line for line in members[record_name].decode().splitlines() if line]
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = f"{prefix}/{path.relative_to(folder).as_posix()}"
        data = path.read_bytes()
        members[name] = data
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        lines.insert(-1, f"{name},sha256={digest},{len(data)}")
    members[record_name] = ("\n".join(lines) + "\n").encode()
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2023, 11, 14, 22, 13, 20))
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, zipfile.ZIP_DEFLATED)


# ------------------------------------------------------------------ the kernel's lock file
@dataclass(frozen=True)
class WheelInfo:
    name: str  # canonical (PEP 503) name
    version: str
    path: Path
    requires: tuple[str, ...]
    imports: tuple[str, ...]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_wheel(path: Path) -> WheelInfo:
    """Name, version, browser dependencies and top-level imports of one wheel."""
    from packaging.markers import Marker
    from packaging.requirements import Requirement

    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        metadata_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(archive.read(metadata_name).decode("utf-8"))
        top_level = next((n for n in names if n.endswith(".dist-info/top_level.txt")), None)
        imports = archive.read(top_level).decode().split() if top_level else sorted({
            n.split("/")[0].removesuffix(".py") for n in names
            if "/" in n and not n.split("/")[0].endswith((".dist-info", ".data")) or n.endswith(".py") and "/" not in n})
    requires: list[str] = []
    for line in metadata.get_all("Requires-Dist") or []:
        requirement = Requirement(line)
        marker: Marker | None = requirement.marker
        if marker is None or marker.evaluate({**BROWSER_MARKERS, "extra": ""}):
            requires.append(canonical(requirement.name))
    return WheelInfo(canonical(metadata["Name"]), metadata["Version"], path, tuple(requires),
                     tuple(i for i in imports if i and not i.startswith("_")) or tuple(imports))


def kernel_lock(runtime_lock: dict[str, Any], wheels: list[WheelInfo]) -> dict[str, Any]:
    """Pyodide's lock file naming exactly the served wheels, with their own hashes.

    Entries for packages the site does not serve are dropped: a lock entry for a file that is
    not there would only turn a clear "not available" into a failed download.
    """
    served = {w.name: w for w in wheels}
    missing = sorted({f"{r} (needed by {w.name})" for w in wheels for r in w.requires
                      if r not in served and r not in NOT_NEEDED_IN_THE_BROWSER})
    if missing:
        raise ConfigurationError("The browser edition would lack packages its wheels need: " + ", ".join(missing)
                                 + ". Pin them in lite/requirements.txt.")
    packages = {}
    for wheel in sorted(wheels, key=lambda w: w.name):
        packages[wheel.name] = {
            "name": wheel.name, "version": wheel.version, "file_name": wheel.path.name, "install_dir": "site",
            "sha256": wheel.sha256, "package_type": "package", "imports": list(wheel.imports),
            "depends": sorted(r for r in set(wheel.requires) if r in served), "unvendored_tests": False,
            "shared_library": False,
        }
    return {"info": runtime_lock["info"], "packages": packages}


def kernel_wheels(front_end: dict[str, Path], scratch: Path) -> list[Path]:
    """The kernel's own small wheels (piplite, pyodide-kernel and the ipykernel and widgetsnbextension
    stand-ins), which the jupyterlite-pyodide-kernel wheel carries inside its extension."""
    out = scratch / "kernel-wheels"
    out.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(front_end["jupyterlite_pyodide_kernel"]) as archive:
        for name in archive.namelist():
            base = name.rsplit("/", 1)[-1]
            if "/static/pypi/" in name and base.endswith(".whl") and not base.startswith("widgetsnbextension-3."):
                (out / base).write_bytes(archive.read(name))
    return sorted(out.glob("*.whl"))


# ------------------------------------------------------------------ the site
def stage(lite_dir: Path, config: Path, edition: Path, runtime: Path, served: list[Path],
          lock: dict[str, Any]) -> list[str]:
    """Lay out the folder ``jupyter lite build`` reads; return the notebooks it will serve."""
    pyodide = lite_dir / "static" / "pyodide"
    pyodide.mkdir(parents=True)
    for name in PYODIDE_FILES:
        shutil.copy2(runtime / name, pyodide / name)
    for wheel in served:
        shutil.copy2(wheel, pyodide / wheel.name)
    (pyodide / "pyodide-lock.json").write_text(json.dumps(lock, indent=1) + "\n", encoding="utf-8")

    content = lite_dir / "content"
    notebooks: list[str] = []
    from course.instructor.publish import ASSESSMENTS_DIR

    for folder in ("modules", ASSESSMENTS_DIR):
        source = edition / folder
        if source.is_dir():
            shutil.copytree(source, content / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
            notebooks += [str(p.relative_to(content)) for p in sorted((content / folder).rglob("*.ipynb"))]

    settings = json.loads((config / "jupyter-lite.json").read_text(encoding="utf-8"))
    kernel = settings["jupyter-config-data"]["litePluginSettings"][KERNEL_PLUGIN]
    kernel["loadPyodideOptions"]["packages"] = [*KERNEL_PACKAGES, "widgetsnbextension", "ipywidgets",
                                                COURSE_DISTRIBUTION]
    (lite_dir / "jupyter-lite.json").write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    shutil.copy2(config / "overrides.json", lite_dir / "overrides.json")
    return notebooks


def jupyter_lite_build(lite_dir: Path, output: Path, front_end: list[Path]) -> None:
    (lite_dir / "jupyter_lite_config.json").write_text(json.dumps({
        "LiteBuildConfig": {
            "apps": ["lab"],
            "contents": ["content"],
            "output_dir": str(output),
            "ignore_sys_prefix": ["federated_extensions"],
            "federated_extensions": [str(p) for p in front_end],
            "settings_overrides": ["overrides.json"],
            "no_sourcemaps": True,
            "no_unused_shared_packages": True,
        },
    }, indent=2) + "\n", encoding="utf-8")
    _run([sys.executable, "-m", "jupyterlite_core", "build", "--lite-dir", str(lite_dir)],
         "build the JupyterLite site", cwd=lite_dir)


LANDING_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Exosome Reality Check</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="0; url=./lab/index.html?path={start}">
<!-- JupyterLite's pages read the settings of every folder above them from its index.html. -->
<script id="jupyter-config-data" type="application/json" data-jupyter-lite-root=".">{{}}</script>
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;line-height:1.5}}</style>
</head>
<body>
<h1>Exosome Reality Check</h1>
<p>The course is opening in your browser. If nothing happens, <a href="./lab/index.html?path={start}">open the
start page</a>.</p>
<p>Everything runs on your own computer; your progress is kept in this browser.</p>
<script>window.location.replace("./lab/index.html?path={start}");</script>
</body>
</html>
"""


def check_site(output: Path) -> None:
    """The built site's kernel settings point at its own Pyodide and nowhere else."""
    settings = json.loads((output / "jupyter-lite.json").read_text(encoding="utf-8"))
    kernel = settings["jupyter-config-data"].get("litePluginSettings", {}).get(KERNEL_PLUGIN, {})
    url = str(kernel.get("pyodideUrl", ""))
    if not url.startswith("./") or not (output / url).is_file():
        raise ConfigurationError(f"The site's kernel would load Pyodide from {url or 'the default CDN'}, not from its "
                                 "own files: the site was not built.")
    if not kernel.get("disablePyPIFallback"):
        raise ConfigurationError("The site's kernel would fall back to PyPI: set disablePyPIFallback in lite/jupyter-lite.json.")


def registry_file_hashes(wheels: Iterable[Path], runtime: Path) -> set[str]:
    """The sha256 of every file the site copies unchanged from a pinned registry package: the
    pinned wheels (whole and each file inside), the Pyodide runtime (installed by ``npm ci``
    against its lockfile) and JupyterLite's own application (inside the pinned jupyterlite-core)."""
    import tarfile
    from importlib.util import find_spec

    def digest(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    hashes: set[str] = set()
    for wheel in wheels:
        hashes.add(digest(wheel.read_bytes()))
        with zipfile.ZipFile(wheel) as archive:
            hashes.update(digest(archive.read(info)) for info in archive.infolist() if not info.is_dir())
    hashes.update(digest(p.read_bytes()) for p in runtime.rglob("*") if p.is_file())
    spec = find_spec("jupyterlite_core")
    apps = Path(spec.origin).parent.glob("jupyterlite-app-*.tgz") if spec and spec.origin else iter(())
    for app in apps:
        with tarfile.open(app) as tar:
            for member in tar.getmembers():
                stream = tar.extractfile(member) if member.isfile() else None
                if stream is not None:
                    hashes.add(digest(stream.read()))
    return hashes


def audit_site(output: Path, project_root: Path, third_party: set[str], scratch: Path) -> tuple[int, int]:
    """The learner edition's leak audit (``course.instructor.publish.audit``) on the finished site.

    Every file is audited except those byte for byte the same as a file of a pinned registry
    package, which cannot hold anything of this course (they are most of the site's 55 MB, and
    the audit's many views of each would take minutes). The rest is laid out as the learner
    edition the audit knows: lessons in ``modules/``, each released assessment in
    ``assessments/<id>/`` (searched for its own keys), the course wheel unpacked into ``course/``
    (the library, whose code shows ``answer_N = ...`` examples by design) and every other file
    of the site under ``site/``. Returns (files audited, assessments whose secrets were looked for).
    """
    from course.instructor.publish import audit, edition_secrets, public_text

    secrets = edition_secrets(project_root / "grading")
    laid_out = scratch / "audited"
    audited = 0
    for path in sorted(p for p in output.rglob("*") if p.is_file()):
        if hashlib.sha256(path.read_bytes()).hexdigest() in third_party:
            continue
        relative = path.relative_to(output).as_posix()
        audited += 1
        if re.match(r"static/pyodide/exosome_reality_check-[^/]*\.whl$", relative):
            with zipfile.ZipFile(path) as archive:
                for member in archive.infolist():
                    if member.is_dir():
                        continue
                    where = member.filename if member.filename.startswith("course/") else f"site/{relative}!/{member.filename}"
                    _write(laid_out / where, archive.read(member))
            continue
        where = relative.removeprefix("files/") if relative.startswith(("files/modules/", "files/assessments/")) \
            else f"site/{relative}"
        _write(laid_out / where, path.read_bytes())
    found = audit(laid_out, secrets, public_text(project_root))
    if not found.ok:
        problems = found.messages()
        raise ConfigurationError(f"The JupyterLite site was NOT built: {len(problems)} problem"
                                 f"{'s' if len(problems) != 1 else ''} found ({'; '.join(problems[:5])}). "
                                 "(site/ names the site's own files, course/ the library inside its wheel.)")
    return audited, len(secrets)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def build_site(destination: Path | str = DEFAULT_DESTINATION, project_root: Path = PROJECT_ROOT,
               cache: Path | None = None, progress: Progress = print) -> Site:
    """Build the JupyterLite edition into ``destination`` (replaced whole, only once the new site is sound)."""
    root = project_root.resolve()
    target = Path(destination).expanduser().absolute()
    if target.exists() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise ConfigurationError(f"{target} is not empty and holds no earlier JupyterLite site, so building there "
                                 "could overwrite other files. Choose a new or empty folder.")
    config = config_dir(root)
    cache = cache or cache_root()
    key = input_hash(root)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="exocourse-lite-") as scratch_name:
        scratch = Path(scratch_name)
        progress("1/6 the Pyodide runtime (npm, pinned)")
        runtime = pyodide_runtime(config, cache)
        progress("2/6 the pinned wheels (PyPI, hash-checked)")
        downloaded = pinned_wheels(config, cache)
        progress("3/6 the learner edition (lessons, released assessments, library)")
        edition = learner_edition(root, scratch)
        course = course_wheel(edition, scratch / "course-wheel")
        by_name = {w.name.split("-")[0].lower(): w for w in downloaded}
        front_end = {name: by_name[name] for name in FRONT_END_WHEELS}
        browser = [w for w in downloaded if w.name.split("-")[0].lower() not in
                   {"jupyterlite_pyodide_kernel", "jupyterlab_widgets"}]
        kernel_stubs = kernel_wheels(front_end, scratch)
        served = [*browser, *kernel_stubs, course]
        infos = [read_wheel(w) for w in served]
        lock = kernel_lock(json.loads((runtime / "pyodide-lock.json").read_text(encoding="utf-8")), infos)
        progress("4/6 the site (jupyter lite build, clean)")
        lite_dir = scratch / "lite"
        notebooks = stage(lite_dir, config, edition, runtime, served, lock)
        output = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
        try:
            jupyter_lite_build(lite_dir, output, list(front_end.values()))
            (output / "index.html").write_text(LANDING_PAGE.format(start=START_PAGE), encoding="utf-8")
            (output / ".nojekyll").write_text("", encoding="utf-8")  # GitHub Pages: serve the folder as it is
            check_site(output)
            progress("5/6 the leak audit (every file, inside every wheel)")
            third_party = registry_file_hashes([*downloaded, *kernel_stubs], runtime)
            audited, checked = audit_site(output, root, third_party, scratch)
            progress(f"      {audited} files of the course's own audited for the secrets of {checked} assessments")
            size = sum(p.stat().st_size for p in output.rglob("*") if p.is_file())
            (output / MARKER).write_text(json.dumps({"input_hash": key, "packages": sorted(lock["packages"]),
                                                     "notebooks": notebooks}, indent=1) + "\n", encoding="utf-8")
            progress("6/6 done")
            _replace(output, target)
        finally:
            shutil.rmtree(output, ignore_errors=True)
    return Site(target, key, size, sorted(lock["packages"]), notebooks, checked)


def _replace(build: Path, target: Path) -> None:
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
        os.replace(build, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(build, target)


# ------------------------------------------------------------------ serving it for a try
class LiteRequestHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with the types JupyterLite needs (``.wasm``, ``.mjs``) and no access log noise.

    ``expose_app`` adds ``exposeAppInBrowser`` to the served settings (``window.jupyterapp``), for
    tests and benchmarks that read the kernel's state; ``log`` collects every path asked for.
    """

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm",
                      ".mjs": "text/javascript", ".js": "text/javascript", ".json": "application/json",
                      ".whl": "application/zip"}
    expose_app = False
    log: list[str] | None = None

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        if self.log is not None:
            self.log.append(self.path)
        if self.expose_app and self.path.split("?")[0] == "/jupyter-lite.json":
            settings = json.loads((Path(self.directory) / "jupyter-lite.json").read_text(encoding="utf-8"))
            settings["jupyter-config-data"]["exposeAppInBrowser"] = True
            body = json.dumps(settings).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


def _server(site: Path, port: int, expose_app: bool = False,
            log: list[str] | None = None) -> http.server.ThreadingHTTPServer:
    import functools

    if not (site / "index.html").is_file():
        raise ConfigurationError(f"There is no site in {site}: run `make lite` first.")
    handler = type("Handler", (LiteRequestHandler,), {"expose_app": expose_app, "log": log})
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(handler, directory=str(site)))


def serve(site: Path | str = DEFAULT_DESTINATION, port: int = 8000) -> None:
    """Serve the site on http://127.0.0.1:PORT/ until Ctrl+C (for a try; any static host serves it for real)."""
    with _server(Path(site), port) as server:
        print(f"The course is at http://127.0.0.1:{port}/ (Ctrl+C stops it).", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


@contextmanager
def serving(site: Path, expose_app: bool = False, log: list[str] | None = None) -> Iterator[str]:
    """Serve ``site`` on a free loopback port in a background thread; yield its base URL."""
    import threading

    server = _server(site, 0, expose_app, log)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def cached_site(progress: Progress = print, keep: int = 2) -> Path:
    """A site built from the current inputs, under the cache, built only when no site has their hash
    (for the tests and benchmarks; ``make lite`` always builds afresh). The newest ``keep`` are kept."""
    sites = cache_root() / "sites"
    key = input_hash()
    site = sites / key
    marker = site / MARKER
    if not (marker.is_file() and json.loads(marker.read_text(encoding="utf-8")).get("input_hash") == key):
        build_site(site, progress=progress)
    older = sorted((p for p in sites.iterdir() if p.is_dir() and p != site), key=lambda p: p.stat().st_mtime)
    for old in older[: max(0, len(older) - (keep - 1))]:
        shutil.rmtree(old, ignore_errors=True)
    site.touch()
    return site


def _main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m course.instructor.lite",
                                     description="Build (or serve) the JupyterLite edition of the course.")
    parser.add_argument("destination", nargs="?", default=str(DEFAULT_DESTINATION), help="the site's folder")
    parser.add_argument("--serve", action="store_true", help="serve an already built site on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="the port for --serve (default 8000)")
    args = parser.parse_args(argv)
    try:
        if args.serve:
            serve(args.destination, args.port)
            return 0
        site = build_site(args.destination)
    except ConfigurationError as problem:
        print(problem, file=sys.stderr)
        return 2
    print(f"The JupyterLite site is in {site.path} ({site.size_bytes / 1e6:.1f} MB, {len(site.notebooks)} notebooks, "
          f"no secret of its {site.secrets_checked} assessments in it). Try it with `make lite-serve`.")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
