"""The public files of the course's certificates, in ``<course dir>/certificates/``.

Put these four on the course's web page (or hand them out): they are all anyone needs to
check a certificate, and they hold nothing secret.

- ``public-key.pem``: the public keys, the current one first (``keys``);
- ``revoked.json``: the signed revocation list (``revocation``), written even when empty,
  so a verifier can tell "not revoked" from "not checked";
- ``achievements.json``: what each course version's certificate certifies (``credential``);
- ``verify.html``: one self-contained page that checks a code in the browser (``page``).

The register and the PDFs in the same folder are private: they hold learners' names.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from course import _atomic as atomic
from course.instructor.certificates.credential import Achievement
from course.instructor.certificates.keys import PUBLIC_KEY_FILE, KeyRing, read_key_ring, retirement_notes, write_key_ring
from course.instructor.certificates.register import CERTIFICATES_DIR
from course.instructor.certificates.revocation import (
    REVOCATIONS_FILE,
    RevocationList,
    now,
    read_revocations,
    signed_file,
)
from course.instructor.certificates.verification import ACHIEVEMENTS_FILE, read_achievements, write_achievements

VERIFY_PAGE = "verify.html"
VERIFY_URL_FILE = "verify-url.txt"


@dataclass(frozen=True)
class PublishedState:
    """What the course folder has published so far."""

    public_key_file: Path
    ring: KeyRing = KeyRing(())
    revocations: RevocationList = RevocationList()
    achievements: dict[str, Achievement] = field(default_factory=dict)
    retired: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PublicFiles:
    public_key: Path
    revocations: Path
    achievements: Path
    verify_page: Path


def folder(course_dir: Path) -> Path:
    return Path(course_dir) / CERTIFICATES_DIR


def published_state(course_dir: Path) -> PublishedState:
    public_key_file = folder(course_dir) / PUBLIC_KEY_FILE
    if not public_key_file.exists():
        return PublishedState(public_key_file)
    ring = read_key_ring(public_key_file)
    revocations = read_revocations(folder(course_dir) / REVOCATIONS_FILE, ring) or RevocationList()
    return PublishedState(public_key_file, ring, revocations, read_achievements(folder(course_dir) / ACHIEVEMENTS_FILE),
                          retirement_notes(public_key_file))


def verify_url_for(course_dir: Path, given: str | None) -> str | None:
    """The address of the published verify.html for the QR codes: ``given`` (remembered for later
    runs), else the one remembered, else None (the QR code then carries the code alone)."""
    remembered = folder(course_dir) / VERIFY_URL_FILE
    if given:
        atomic.write_text(remembered, given.strip() + "\n")
        return given.strip()
    if remembered.exists():
        return remembered.read_text(encoding="utf-8").strip() or None
    return None


def publish(course_dir: Path, key: Ed25519PrivateKey, ring: KeyRing, revocations: RevocationList,
            achievement: Achievement | None, state: PublishedState, retired: dict[str, str] | None = None) -> PublicFiles:
    """(Re)write the four public files from the key ring, the revocation list and the catalogue."""
    from course.instructor.certificates.page import write_verify_page

    target = folder(course_dir)
    catalogue = dict(state.achievements)
    if achievement is not None:
        catalogue[achievement.digest.hex()] = achievement
    if not revocations.updated:
        revocations = replace(revocations, updated=now())   # the first list: empty, and dated
    public_key = write_key_ring(target / PUBLIC_KEY_FILE, ring, {**state.retired, **(retired or {})})
    revocations_text = signed_file(revocations, key)
    revocations_file = atomic.write_text(target / REVOCATIONS_FILE, revocations_text)
    achievements = write_achievements(target / ACHIEVEMENTS_FILE, catalogue)
    page = write_verify_page(target / VERIFY_PAGE, ring, revocations_text, catalogue)
    return PublicFiles(public_key, revocations_file, achievements, page)


__all__ = ["PublicFiles", "PublishedState", "publish", "published_state", "verify_url_for", "VERIFY_PAGE", "folder"]
