"""binder/: self-study from a single link. The environment matches the package, the
settings are ones JupyterLab accepts, and a fresh environment built from binder/'s
dependency list runs postBuild and the start page."""
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib
import yaml

ROOT = Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"
LAUNCH = "urlpath=lab/tree/modules/00_start_here.ipynb"


def normalise(requirement: str) -> str:
    return re.sub(r"\s+", "", requirement).lower().replace("_", "-")


def binder_requirements() -> list[str]:
    """The pip requirements binder/environment.yml stands for (less Python and pip themselves)."""
    env = yaml.safe_load((BINDER / "environment.yml").read_text(encoding="utf-8"))
    listed = [d for d in env["dependencies"] if isinstance(d, str)]
    return [d for d in listed if not re.match(r"^(python|pip)\b", d)]


def test_binder_environment_has_the_same_runtime_dependencies_as_the_package():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    # Binder serves learners JupyterLab and releases the assessments (nbgrader): the lab and instructor extras.
    extras = project["optional-dependencies"]["lab"] + project["optional-dependencies"]["instructor"]
    package = project["dependencies"] + [r for r in extras if not r.startswith(project["name"])]
    assert sorted(map(normalise, binder_requirements())) == sorted(map(normalise, package))
    top = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))["dependencies"]
    binder = yaml.safe_load((BINDER / "environment.yml").read_text(encoding="utf-8"))["dependencies"]
    assert top == binder


def test_the_settings_overrides_switch_off_the_news_and_are_valid_for_jupyterlab():
    import jsonschema

    overrides = json.loads((BINDER / "overrides.json").read_text(encoding="utf-8"))
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    schemas = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"
    for plugin, settings in overrides.items():
        package, name = plugin.split(":")
        schema = json.loads((schemas / package / f"{name}.json").read_text(encoding="utf-8"))
        assert set(settings) <= set(schema["properties"]), plugin
        jsonschema.validate(settings, schema)


def test_the_server_opens_the_start_page_by_default():
    config = json.loads((BINDER / "jupyter_server_config.json").read_text(encoding="utf-8"))
    # `jupyter lab` sets the server's default page itself, so LabApp must say it too.
    assert config["ServerApp"]["default_url"] == config["LabApp"]["default_url"] == \
        "/lab/tree/modules/00_start_here.ipynb"
    assert (ROOT / "modules" / "00_start_here.ipynb").exists()
    assert config["ServerApp"]["root_dir"] == "build/learner"


def installed_server_extensions() -> set[str]:
    names: set[str] = set()
    for path in (Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.d").glob("*.json"):
        names |= set(json.loads(path.read_text()).get("ServerApp", {}).get("jpserver_extensions", {}))
    return names


def test_a_learner_session_switches_off_every_nbgrader_and_jupytext_extension_installed_here():
    config = json.loads((BINDER / "jupyter_server_config.json").read_text(encoding="utf-8"))
    off = {name for name, on in config["ServerApp"]["jpserver_extensions"].items() if on is False}
    installed = {n for n in installed_server_extensions() if n.startswith(("nbgrader", "jupyterlab_jupytext"))}
    assert installed and installed <= off
    page = json.loads((BINDER / "labconfig" / "page_config.json").read_text(encoding="utf-8"))
    labextensions = Path(sys.prefix) / "share" / "jupyter" / "labextensions"
    for name in ("@jupyter/nbgrader", "jupyterlab-jupytext"):
        assert (labextensions / name / "package.json").exists(), f"{name} is not what the extension is called"
        assert page["disabledExtensions"][name] is True


def test_the_shortcut_overrides_cover_every_default_shortcut_a_key_in_a_widget_would_trigger():
    """binder/learner_settings.py writes the file from this JupyterLab's schemas; regenerate after an upgrade."""
    spec = importlib.util.spec_from_file_location("learner_settings", BINDER / "learner_settings.py")
    settings = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(settings)
    assert (BINDER / "overrides.json").read_text(encoding="utf-8") == settings.text(), \
        "run .venv/bin/python binder/learner_settings.py"
    shortcuts = json.loads(settings.text())["@jupyterlab/shortcuts-extension:shortcuts"]["shortcuts"]
    commands = {s["command"] for s in shortcuts}
    assert {"notebook:move-cursor-down", "notebook:delete-cell", "runmenu:run"} <= commands
    for shortcut in shortcuts:
        assert shortcut.get("disabled") is True or ".jupyter-widgets" in shortcut["selector"]


def load_learner_view():
    spec = importlib.util.spec_from_file_location("learner_view", BINDER / "learner_view.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_learner_view_of_the_repository_links_the_lessons_and_the_released_assessments(tmp_path):
    repository = tmp_path / "repo"
    (repository / "modules").mkdir(parents=True)
    (repository / "grading" / "source").mkdir(parents=True)
    view = load_learner_view().build(repository)
    assert sorted(p.name for p in view.iterdir()) == ["assessments", "modules"]
    assert (view / "assessments").resolve() == (repository / "grading" / "release").resolve()
    assert (view / "modules").resolve() == (repository / "modules").resolve()
    assert not (view / "assessments").readlink().is_absolute()   # survives moving the folder
    load_learner_view().build(repository)                         # and can be built again


def test_the_learner_view_of_an_edition_links_its_assessments_folder(tmp_path):
    edition = tmp_path / "edition"
    (edition / "modules").mkdir(parents=True)
    (edition / "assessments" / "01_x").mkdir(parents=True)
    view = load_learner_view().build(edition)
    assert (view / "assessments" / "01_x").is_dir()


def test_the_browser_tests_and_make_install_the_same_axe_core():
    from tests.browser import AXE_VERSION

    assert f"AXE_VERSION := {AXE_VERSION}" in (ROOT / "Makefile").read_text(encoding="utf-8")


def test_postbuild_is_an_executable_bash_script_that_stops_on_the_first_error():
    script = BINDER / "postBuild"
    assert os.access(script, os.X_OK)
    text = script.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in text
    assert "exocourse release" in text and "pip install" in text
    subprocess.run(["bash", "-n", str(script)], check=True)


def test_the_readme_text_carries_the_badge_and_the_launch_link_with_one_marked_placeholder():
    text = (ROOT / "docs" / "binder.md").read_text(encoding="utf-8")
    links = re.findall(r"^\[launch\]: (\S+)$", text, re.M)
    assert len(links) == 1 and links[0].endswith(LAUNCH)
    assert links[0].startswith("https://mybinder.org/v2/gh/OWNER/REPO/")
    assert "badge_logo.svg)][launch]" in text and "Placeholder" in text
    assert len(re.findall(r"https?://\S*OWNER/REPO", text)) == 1  # one place to change


# ---------------------------------------------------------------- the real thing
def project_files() -> list[str]:
    """What a fresh clone of the repository holds (tracked and new, not ignored files)."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode().split("\0")
    return [name for name in listed if name and (ROOT / name).is_file()]


@pytest.mark.slow
def test_a_fresh_environment_from_binders_list_runs_postbuild_and_the_start_page(tmp_path):
    clone = tmp_path / "repo"
    for name in project_files():
        (clone / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, clone / name)
    venv = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    bin_dir = venv / "bin"
    python = bin_dir / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", *binder_requirements()], check=True,
                   capture_output=True)

    home = tmp_path / "learner"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("VIRTUAL_ENV", "PYTHONPATH", "EXOCOURSE_", "NBGRADER_"))}
    env |= {"PATH": f"{bin_dir}{os.pathsep}{env['PATH']}", "EXOCOURSE_HOME": str(home),
            "BINDER_SERVICE_HOST": "10.0.0.1", "HOME": str(tmp_path / "home")}
    built = subprocess.run(["bash", "binder/postBuild"], cwd=clone, env=env, capture_output=True, text=True)
    assert built.returncode == 0, built.stdout + built.stderr

    # The package is the clone's, installed in the fresh environment, not this one's.
    where = subprocess.run([str(python), "-c", "import course; print(course.__file__)"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where) == clone / "course" / "__init__.py"
    # JupyterLab finds the overrides where it looks for them; the server its default page.
    app_dir = subprocess.run([str(bin_dir / "jupyter"), "lab", "path"], env=env, capture_output=True, text=True,
                             check=True).stdout
    settings = Path(re.search(r"Application directory:\s*(\S+)", app_dir).group(1)) / "settings"
    overrides = settings / "overrides.d" / "exosome-reality-check.json"
    assert json.loads(overrides.read_text())["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    page_config = venv / "etc" / "jupyter" / "labconfig" / "page_config.json"
    assert json.loads(page_config.read_text())["disabledExtensions"]["@jupyter/nbgrader"] is True
    server_config = json.loads((venv / "etc" / "jupyter" / "jupyter_server_config.json").read_text())
    assert server_config["ServerApp"]["root_dir"] == str((clone / "build" / "learner").resolve())
    config = subprocess.run([str(bin_dir / "jupyter"), "lab", "--show-config"], cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    assert config.returncode == 0, config.stdout + config.stderr
    shown = config.stdout
    lab_config = shown[shown.index("LabApp"):]
    assert re.search(r"\.default_url = '/lab/tree/modules/00_start_here\.ipynb'", lab_config)
    # The assessment releases were built.
    sources = sorted(p.parent.name for p in (clone / "grading" / "source").glob("*/assessment.ipynb"))
    released = sorted(p.parent.name for p in (clone / "grading" / "release").glob("*/assessment.ipynb"))
    assert sources and released == sources
    # The learner's file browser shows the lessons and those releases.
    view = clone / "build" / "learner"
    assert (view / "assessments").resolve() == (clone / "grading" / "release").resolve()
    assert (view / "modules" / "00_start_here.ipynb").exists()

    executed = tmp_path / "start_here_run.ipynb"
    run = subprocess.run(
        [str(bin_dir / "jupyter"), "nbconvert", "--to", "notebook", "--execute", "--output", str(executed),
         "--ExecutePreprocessor.timeout=180", str(clone / "modules" / "00_start_here.ipynb")],
        cwd=clone / "modules", env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    notebook = json.loads(executed.read_text(encoding="utf-8"))
    errors = [o for c in notebook["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    widget_state = json.dumps(notebook["metadata"].get("widgets", {}))
    assert "Nothing is kept after this session" in widget_state  # the record's Binder notice
    start_page = json.loads((home / "progress.json").read_text())["modules"]["00"]
    assert start_page["first_opened"] and "completed" not in start_page  # Run All completes nothing
