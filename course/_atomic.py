"""The one way the course writes a file it must not lose: atomically, and durably.

The bytes go to a temporary file with a unique name in the same folder, are flushed and
fsynced, and the temporary file then replaces the target in one step (``os.replace``).
A reader therefore sees the old file or the new one, never half of either, and a crash
or a killed process leaves at worst a stray temporary file, never a damaged target. The
folder is fsynced too (where the platform allows it), so the rename itself survives a
power cut.

Temporary files are named ``.<target name>.<random>.tmp``; ``stale_temporaries`` finds
the ones a killed writer left behind, so their owners can tidy them up.
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

TEMP_SUFFIX = ".tmp"


def _temp_prefix(target: Path) -> str:
    return f".{target.name}."


def write_bytes(path: Path | str, data: bytes, mode: int | None = None) -> Path:
    """Write ``data`` to ``path`` atomically and durably; return the path.

    ``mode`` sets the file's permissions (e.g. ``0o600``) before it becomes visible.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=TEMP_SUFFIX,
                                             dir=target.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_directory(target.parent)
    return target


def write_text(path: Path | str, text: str, mode: int | None = None) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically and durably; return the path."""
    return write_bytes(path, text.encode("utf-8"), mode=mode)


def stale_temporaries(path: Path | str, older_than: float = 60.0) -> list[Path]:
    """Temporary files of ``path``'s writers that are older than ``older_than`` seconds.

    A live writer holds its temporary file for milliseconds; one older than a minute
    belongs to a writer that was killed.
    """
    target = Path(path)
    if not target.parent.is_dir():
        return []
    cutoff = time.time() - older_than
    found = []
    for candidate in target.parent.glob(f"{_temp_prefix(target)}*{TEMP_SUFFIX}"):
        try:
            if candidate.stat().st_mtime < cutoff:
                found.append(candidate)
        except OSError:
            continue
    return found


def _fsync_directory(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # e.g. Windows, where a folder cannot be opened; the rename is still atomic
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
