"""Packaging: pyproject and environment.yml agree; import course stays light."""
import re
import subprocess
import sys

import tomllib

from tests.conftest import ROOT


def _normalise(requirement: str) -> tuple[str, str]:
    name, spec = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(.*)", requirement).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def learner_dependencies() -> dict[str, str]:
    """What installing the library alone brings: what the lessons need (also in the browser)."""
    return dict(_normalise(r) for r in pyproject()["dependencies"])


def extra(name: str) -> dict[str, str]:
    """One extra's own requirements (the extras it includes by self-reference left out)."""
    project = pyproject()
    return dict(_normalise(r) for r in project["optional-dependencies"][name] if not r.startswith(project["name"]))


def runtime_from_pyproject() -> dict[str, str]:
    """What conda and Binder users get: the library, JupyterLab and the instructor's tools."""
    return {**learner_dependencies(), **extra("lab"), **extra("instructor")}


def runtime_from_environment(path) -> dict[str, str]:
    import yaml

    deps = yaml.safe_load(path.read_text())["dependencies"]
    names = [d for d in deps if isinstance(d, str) and not d.startswith(("python", "pip"))]
    pip = [d for d in deps if isinstance(d, dict) for d in d.get("pip", [])]
    return dict(_normalise(r.replace("=", "==", 1) if re.search(r"[^<>=!]=[^=]", r) else r) for r in names + pip)


def test_environment_yml_lists_the_same_runtime_dependencies_as_pyproject():
    assert runtime_from_environment(ROOT / "environment.yml") == runtime_from_pyproject()


def test_the_runtime_dependencies_are_the_designed_ones():
    assert {"jupyterlab", "notebook", "ipywidgets", "nbgrader", "plotly", "pyyaml"} <= set(runtime_from_pyproject())


def test_a_learners_install_has_no_jupyterlab_notebook_or_nbgrader():
    # The library runs in the browser (Pyodide): servers and the grading tools are extras.
    learner = set(learner_dependencies())
    assert {"ipywidgets", "plotly", "pyyaml", "fpdf2"} <= learner
    assert not learner & {"jupyterlab", "notebook", "nbgrader", "cryptography", "segno"}
    assert {"jupyterlab", "notebook"} <= set(extra("lab")) and "nbgrader" in extra("instructor")


def test_make_gives_each_command_what_it_needs():
    makefile = (ROOT / "Makefile").read_text()
    assert "-e '.[instructor]'" in makefile  # make lab, make instructor and exocourse: JupyterLab and nbgrader
    test = pyproject()["optional-dependencies"]["test"]
    assert any(r.startswith("exosome-reality-check[") and all(x in r for x in ("instructor", "lite")) for r in test)


def test_every_learner_dependency_is_served_by_the_browser_edition():
    pins = (ROOT / "lite" / "requirements.txt").read_text() + (ROOT / "lite" / "requirements-source.txt").read_text()
    pinned = {_normalise(line.split("==")[0])[0] for line in pins.splitlines() if "==" in line}
    assert set(learner_dependencies()) <= pinned


def test_import_course_loads_no_plotly_ipywidgets_or_nbgrader():
    code = ("import sys, course; heavy = [m for m in ('plotly', 'ipywidgets', 'nbgrader', 'nbformat', 'yaml') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_console_script_is_declared():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert data["project"]["scripts"]["exocourse"] == "course.cli:main"


def test_ci_runs_make_test_and_the_readme_gives_the_same_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert "make test" in (ROOT / "README.md").read_text() and "make lab" in (ROOT / "README.md").read_text()


def test_the_public_front_is_a_plain_list_of_callables_with_signatures_and_docstrings():
    import inspect
    import types

    import course

    verbs = [name for name in course.__all__ if not name[0].isupper() and name != "__version__"]
    assert verbs, "course.__all__ lists no verbs"
    for name in verbs:
        verb = getattr(course, name)
        assert callable(verb) and not isinstance(verb, types.ModuleType), name
        assert inspect.signature(verb) is not None and (verb.__doc__ or "").strip(), name
    # Nothing public is a module: the modules behind the verbs are private.
    public_modules = [n for n, v in vars(course).items() if isinstance(v, types.ModuleType) and not n.startswith("_")]
    assert set(public_modules) <= {"instructor", "cli"}, public_modules  # the instructor side is its own API
