"""Where the course's static media are: SVG diagrams, the fonts and styles of its PDFs.

They live in the repository's top-level ``assets/`` folder (the design card's place for
them). An installed copy of the library that is not an editable install (a wheel in the
JupyterLite edition, say) carries them inside the package as ``course/_bundled_assets/``,
put there by the build that makes the wheel. ``asset_path`` looks in both places, so every
caller asks one function and works in both.
"""
from __future__ import annotations

from pathlib import Path

from course._errors import ConfigurationError

_PACKAGE = Path(__file__).resolve().parent
_CANDIDATES = (_PACKAGE.parent / "assets", _PACKAGE / "_bundled_assets")


def assets_dir() -> Path | None:
    """The folder that holds the assets, or None when neither place has one."""
    for folder in _CANDIDATES:
        if folder.is_dir():
            return folder
    return None


def asset_path(relative: str) -> Path:
    """The path of one asset, e.g. ``asset_path("fonts/NotoSans-Regular.ttf")``.

    Raises ConfigurationError (saying where it looked) when the file is in neither place.
    """
    for folder in _CANDIDATES:
        candidate = folder / relative
        if candidate.is_file():
            return candidate
    looked = " and ".join(str(folder) for folder in _CANDIDATES)
    raise ConfigurationError(f"The course file {relative} is missing (looked in {looked}). "
                             "Reinstall the course, or restore the assets/ folder from the repository.")
