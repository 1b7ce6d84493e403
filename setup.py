"""setuptools hook (all metadata is in pyproject.toml): a wheel carries the course's static media.

The repository keeps them in ``assets/`` beside the package; an installed wheel has no such
folder, so the build copies it into the wheel as ``course/_bundled_assets/``, where
``course._assets.asset_path`` looks second. An editable install needs no copy: ``asset_path``
finds ``assets/`` itself.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ASSETS = Path(__file__).resolve().parent / "assets"


class BuildPyWithAssets(build_py):
    def run(self) -> None:
        super().run()
        if ASSETS.is_dir() and not getattr(self, "editable_mode", False):
            target = Path(self.build_lib) / "course" / "_bundled_assets"
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(ASSETS, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"))


setup(cmdclass={"build_py": BuildPyWithAssets})
