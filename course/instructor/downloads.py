"""The files in an LMS download: a folder, a .zip, or a folder with zips in it.

``list_files(path)`` finds every file a learner may have meant as a submission and
describes each as a ``DownloadedFile`` that intake reads through ``read`` (never by
extracting to disk). An archive is hostile input like any other:

- a member whose name is absolute or climbs out with ``..``, a symbolic link, or a
  password-protected member is refused with its reason (and never written anywhere);
- sizes are checked twice: the size the archive declares (a member over the limit is
  refused unread; one compressed more than ``MAX_RATIO`` to 1, or an archive over
  ``MAX_ARCHIVE_BYTES`` in all, is refused as a likely zip bomb) and the bytes actually
  produced while reading (a member whose header lies is cut off at the limit);
- a zip inside the download is opened (a learner who zipped their notebook), a zip
  inside that is not;
- files the operating system leaves behind (``__MACOSX``, ``.DS_Store``, checkpoints)
  are skipped.

A damaged archive is one refused item: the rest of the download goes on.
"""
from __future__ import annotations

import io
import os
import re
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import IO

from course._errors import SubmissionError

MAX_MEMBERS = 10_000                 # files in one archive
MAX_ARCHIVE_BYTES = 2_000_000_000    # declared uncompressed bytes of one archive, in all
MAX_RATIO = 100                      # uncompressed : compressed, for members over 1 MB
_RATIO_FLOOR = 1_000_000
_CHUNK = 1 << 16

# Files that operating systems and JupyterLab leave behind: never submissions. Other names
# that start with a dot are learner ids like any other (made safe, not skipped).
JUNK = re.compile(r"^(\.ipynb_checkpoints|\.DS_Store|__MACOSX|Thumbs\.db|desktop\.ini|\._.*|\.~.*|~\$.*)$", re.I)


@dataclass(frozen=True)
class DownloadedFile:
    """One file of the download, readable without touching the disk around it."""

    relative: str                      # its path inside the download ("a/b.ipynb"; "x.zip/b.ipynb")
    size: int                          # bytes (as declared, for an archive member)
    modified: datetime | None          # the file's time (UTC); for an LMS archive, its download time
    origin: Path                       # the file on disk, or the archive holding it
    member: str | None = None          # its name inside the archive
    outer_member: str | None = None    # the zip inside the archive that holds it, if any
    problem: str = ""                  # why it cannot be taken, when it cannot

    @property
    def in_archive(self) -> bool:
        return self.member is not None

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.relative).suffix.lower()

    def shown(self, base: Path | None = None) -> str:
        """How the instructor recognises it: the path in their download."""
        if self.member is None:
            return self.relative
        if base is not None and self.origin == base:
            return self.relative
        return f"{self.origin.name}: {self.relative}"

    def read(self, max_bytes: int) -> bytes:
        """The file's bytes, at most ``max_bytes``: more is a SubmissionError (checked while reading)."""
        if self.member is None:
            with self.origin.open("rb") as stream:
                return _read_limited(stream, max_bytes)
        with zipfile.ZipFile(self.origin) as archive:
            if self.outer_member is None:
                with archive.open(self.member) as stream:
                    return _read_limited(stream, max_bytes)
            with archive.open(self.outer_member) as outer_stream:
                inner = io.BytesIO(_read_limited(outer_stream, max_bytes))
            with zipfile.ZipFile(inner) as inner_archive, inner_archive.open(self.member) as stream:
                return _read_limited(stream, max_bytes)


def _read_limited(stream: IO[bytes], max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(min(_CHUNK, max_bytes + 1 - total))
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > max_bytes:
            raise SubmissionError(f"the file is over the {max_bytes / 1e6:.0f} MB limit; ask the learner to clear "
                                  "outputs (Edit → Clear Outputs of All Cells), save and send it again")
        chunks.append(chunk)


def is_zip(path: Path) -> bool:
    return path.suffix.lower() == ".zip"


def _junk(relative: str) -> bool:
    return any(JUNK.match(part) for part in PurePosixPath(relative).parts)


def list_files(download: Path) -> list[DownloadedFile]:
    """Every file of ``download`` (a folder or a .zip), in a stable order."""
    if download.is_file():
        return sorted(_archive_files(download, prefix=""), key=lambda f: f.relative)
    found: list[DownloadedFile] = []
    for folder, dirnames, filenames in os.walk(download):           # never follows links
        here = Path(folder)
        for name in sorted(dirnames):
            if (here / name).is_symlink() and not JUNK.match(name):
                found.append(DownloadedFile(_relative(here / name, download), 0, None, here / name,
                                            problem="is a link to a folder elsewhere, not a folder; copy the "
                                                    "files themselves"))
        dirnames[:] = sorted(d for d in dirnames if not JUNK.match(d) and not (here / d).is_symlink())
        for name in sorted(filenames):
            path = here / name
            relative = _relative(path, download)
            if _junk(relative):
                continue
            if path.is_symlink():
                found.append(DownloadedFile(relative, 0, None, path,
                                            problem="is a link, not a file; copy the notebook itself"))
                continue
            info = path.stat()
            if is_zip(path):
                found.extend(_archive_files(path, prefix=relative + "/"))
                continue
            found.append(DownloadedFile(relative, info.st_size,
                                        datetime.fromtimestamp(info.st_mtime, tz=timezone.utc), path))
    return sorted(found, key=lambda f: f.relative)


def _relative(path: Path, base: Path) -> str:
    return path.relative_to(base).as_posix()


def _member_problem(info: zipfile.ZipInfo) -> str:
    name = info.filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in parts:
        return "its path in the archive points outside it (absolute or '..'); refused, nothing written"
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "is a symbolic link inside the archive; refused"
    if info.flag_bits & 0x1:
        return "is password-protected in the archive; ask for an unprotected copy"
    if info.file_size > _RATIO_FLOOR and info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
        return (f"unpacks to {info.file_size / 1e6:.0f} MB from {info.compress_size / 1e3:.0f} kB (over "
                f"{MAX_RATIO}:1): refused as a likely zip bomb")
    return ""


def _archive_files(path: Path, prefix: str) -> Iterator[DownloadedFile]:
    """The members of the zip at ``path`` (and of zips directly inside it)."""
    shown = prefix.rstrip("/") or path.name
    try:
        with zipfile.ZipFile(path) as archive:
            yield from _members(archive, path, prefix, None, shown)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        yield DownloadedFile(prefix.rstrip("/") or path.name, 0, None, path,
                             problem=f"is not a readable zip archive ({exc}); download it again")


def _members(archive: zipfile.ZipFile, origin: Path, prefix: str, outer: str | None,
             shown: str) -> Iterator[DownloadedFile]:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        yield DownloadedFile(shown, 0, None, origin, problem=f"holds {len(infos)} files (over {MAX_MEMBERS}); refused")
        return
    declared = sum(i.file_size for i in infos)
    if declared > MAX_ARCHIVE_BYTES:
        yield DownloadedFile(shown, 0, None, origin, problem=(
            f"unpacks to {declared / 1e9:.1f} GB (over {MAX_ARCHIVE_BYTES / 1e9:.0f} GB): refused as a likely zip bomb"))
        return
    for info in infos:
        if info.is_dir():
            continue
        relative = prefix + info.filename.replace("\\", "/").lstrip("/")
        if _junk(relative):
            continue
        problem = _member_problem(info)
        modified = _zip_time(info)
        if not problem and is_zip(Path(info.filename)):
            if outer is not None:
                problem = "is a zip inside a zip inside the download; unpack it and take in the notebook itself"
            else:
                yield from _inner_archive(archive, info, origin, relative + "/")
                continue
        yield DownloadedFile(relative, info.file_size, modified, origin, member=info.filename, outer_member=outer,
                             problem=problem)


def _inner_archive(archive: zipfile.ZipFile, info: zipfile.ZipInfo, origin: Path,
                   prefix: str) -> Iterator[DownloadedFile]:
    """A learner's own zip inside the LMS archive: read into memory (within the size limit)."""
    shown = prefix.rstrip("/")
    if info.file_size > 200_000_000:
        yield DownloadedFile(shown, info.file_size, None, origin, member=info.filename,
                             problem="is a zip of over 200 MB inside the download; refused")
        return
    try:
        with archive.open(info) as stream:
            data = _read_limited(stream, 200_000_000)
        with zipfile.ZipFile(io.BytesIO(data)) as inner:
            yield from _members(inner, origin, prefix, info.filename, shown)
    except (zipfile.BadZipFile, SubmissionError, OSError, EOFError, ValueError) as exc:
        yield DownloadedFile(shown, info.file_size, None, origin, member=info.filename,
                             problem=f"is not a readable zip archive ({exc}); ask the learner to send the notebook "
                                     "itself")


def _zip_time(info: zipfile.ZipInfo) -> datetime | None:
    """A member's time. Zip stores local time without a zone: read as this computer's zone."""
    try:
        return datetime(*info.date_time).astimezone().astimezone(timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None
