"""binder/: self-study from a single link. The environment matches the package, the
settings are ones JupyterLab accepts, and a fresh environment built from binder/'s
dependency list runs postBuild and the start page."""
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
    overrides = json.loads((BINDER / "overrides.json").read_text(encoding="utf-8"))
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    schemas = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"
    for plugin, settings in overrides.items():
        package, name = plugin.split(":")
        schema = json.loads((schemas / package / f"{name}.json").read_text(encoding="utf-8"))
        for key, value in settings.items():
            spec = schema["properties"][key]
            if "oneOf" in spec:
                assert value in [choice["const"] for choice in spec["oneOf"]]
            else:
                assert isinstance(value, {"boolean": bool, "string": str}[spec["type"]])


def test_the_server_opens_the_start_page_by_default():
    config = json.loads((BINDER / "jupyter_server_config.json").read_text(encoding="utf-8"))
    # `jupyter lab` sets the server's default page itself, so LabApp must say it too.
    assert config["ServerApp"]["default_url"] == config["LabApp"]["default_url"] == \
        "/lab/tree/modules/00_start_here.ipynb"
    assert (ROOT / "modules" / "00_start_here.ipynb").exists()


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
    settings = Path(re.search(r"Application directory:\s*(\S+)", app_dir).group(1)) / "settings" / "overrides.json"
    assert json.loads(settings.read_text())["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    shown = subprocess.run([str(bin_dir / "jupyter"), "lab", "--show-config"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, check=True).stdout
    lab_config = shown[shown.index("LabApp"):]
    assert re.search(r"\.default_url = '/lab/tree/modules/00_start_here\.ipynb'", lab_config)
    # The assessment releases were built.
    sources = sorted(p.parent.name for p in (clone / "grading" / "source").glob("*/assessment.ipynb"))
    released = sorted(p.parent.name for p in (clone / "grading" / "release").glob("*/assessment.ipynb"))
    assert sources and released == sources

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
