"""After issuing: revoke a certificate, withdraw a key, rotate to a new key.

Each reads the signing key and the published files, changes one thing, and publishes
again (``publish.publish``), so ``verify.html`` and ``revoked.json`` always agree.

- ``revoke``: a certificate (by code or certificate number) is withdrawn with a reason;
  ``superseded=True`` when a corrected one should replace it (the next
  ``exocourse certificates`` issues it, with the roster's current name).
- ``rotate_key``: a new signing key; the old public key stays published, so every
  certificate signed with it still verifies. Routine, or when the old key is lost.
- ``withdraw_key``: the old key may have been read by someone else. Rotate first; then
  every certificate the withdrawn key signed fails ("NOT VALID") and is issued again with
  the current key by the next ``exocourse certificates``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from course._errors import ConfigurationError
from course.instructor.certificates import code as codes
from course.instructor.certificates.credential import SIGNATURE_BYTES, CredentialProblem, parse
from course.instructor.certificates.keys import (
    KEY_ENV,
    PublicKey,
    create_private_key,
    key_path,
    read_private_key,
    rotate_private_key,
)
from course.instructor.certificates.publish import PublicFiles, PublishedState, publish, published_state
from course.instructor.certificates.register import read_register
from course.instructor.certificates.revocation import RevokedCertificate, WithdrawnKey, with_certificate, with_key


@dataclass(frozen=True)
class Change:
    """What a lifecycle step did, in words for the instructor, and the files it republished."""

    summary: str
    public: PublicFiles


def _current_key(course_dir: Path, key_file: Path | str | None) -> tuple[PublishedState, Ed25519PrivateKey]:
    state = published_state(course_dir)
    if not state.ring.keys:
        raise ConfigurationError(f"The course in {course_dir} has not issued certificates yet (there is no "
                                 f"{state.public_key_file}). Run `exocourse certificates` first.")
    path = key_path(key_file)
    key = read_private_key(path, course_dir)
    if state.ring.current != PublicKey.of(key):
        raise ConfigurationError(f"The key in {path} is not the course's current signing key "
                                 f"({state.ring.current.key_id if state.ring.current else '?'}). Point to it with "
                                 f"--key-file or ${KEY_ENV}.")
    return state, key


def certificate_id_of(text: str, course_dir: Path) -> tuple[str, str]:
    """(certificate number, who it was issued to) from a code or a certificate number."""
    compact = "".join(text.split()).upper()
    entries = read_register(course_dir)
    for entry in entries:
        if entry.credential.certificate_id == compact:
            return compact, f"{entry.credential.name} ({entry.learner_id})"
    try:
        credential = parse(codes.decode(text)[:-SIGNATURE_BYTES])
    except (codes.CodeProblem, CredentialProblem, IndexError) as problem:
        raise ConfigurationError(f"{text.strip()[:40]!r} is neither a certificate number in the register nor a "
                                 f"readable certificate code ({problem}).") from None
    who = next((f"{e.credential.name} ({e.learner_id})" for e in entries
                if e.credential.certificate_id == credential.certificate_id), credential.name)
    return credential.certificate_id, who


def revoke(course_dir: Path, certificate: str, reason: str, superseded: bool = False,
           key_file: Path | str | None = None, on: date | None = None) -> Change:
    if not reason.strip():
        raise ConfigurationError("Say why the certificate is revoked (--reason): verifiers are shown it.")
    state, key = _current_key(course_dir, key_file)
    certificate_id, who = certificate_id_of(certificate, course_dir)
    entry = RevokedCertificate(certificate_id, (on or date.today()).isoformat(), " ".join(reason.split()), superseded)
    revocations = with_certificate(state.revocations, entry)
    public = publish(course_dir, key, state.ring, revocations, None, state)
    then = " (run `exocourse certificates` to issue the corrected one)" if superseded else ""
    return Change(f"certificate {certificate_id} of {who} revoked: {entry.reason}{then}", public)


def rotate_key(course_dir: Path, key_file: Path | str | None = None, lost: bool = False,
               on: date | None = None) -> Change:
    """A new signing key becomes current; the old public key stays published (``lost``: the old
    private key is gone, so only a new one is made)."""
    state = published_state(course_dir)
    path = key_path(key_file)
    day = (on or date.today()).isoformat()
    if lost:
        if path.exists():
            raise ConfigurationError(f"{path} exists: rotate without --lost to retire it properly.")
        key = create_private_key(path, course_dir)
        old = state.ring.current.key_id if state.ring.current else "none"
        note = f"the old key {old} is lost"
    else:
        state, _ = _current_key(course_dir, key_file)
        rotation = rotate_private_key(path, course_dir)
        key = read_private_key(path, course_dir)
        old = rotation.retired
        note = (f"the old private key is kept at {rotation.archived}: delete it once you are sure, "
                "nothing needs it any more")
    public_key = PublicKey.of(key)
    ring = state.ring.with_current(public_key)
    public = publish(course_dir, key, ring, state.revocations, None, state, {old: f"on {day}"})
    return Change(f"signing key rotated: {public_key.key_id} is current, {old} retired (certificates it signed "
                  f"still verify); {note}", public)


def withdraw_key(course_dir: Path, key_id: str, reason: str, key_file: Path | str | None = None,
                 on: date | None = None) -> Change:
    state, key = _current_key(course_dir, key_file)
    key_id = key_id.strip().lower()
    if state.ring.find(key_id) is None:
        raise ConfigurationError(f"No published key has the id {key_id!r} (the keys are: "
                                 f"{', '.join(k.key_id for k in state.ring.keys)}).")
    if state.ring.current and state.ring.current.key_id == key_id:
        raise ConfigurationError(f"{key_id} is the current signing key: rotate to a new key first "
                                 "(`exocourse certificate-key rotate`), then withdraw this one.")
    revocations = with_key(state.revocations, WithdrawnKey(key_id, (on or date.today()).isoformat(),
                                                           " ".join(reason.split()) or "withdrawn"))
    affected = [e for e in read_register(course_dir) if e.credential.key_id == key_id]
    public = publish(course_dir, key, state.ring, revocations, None, state)
    return Change(f"key {key_id} withdrawn: {len(affected)} certificate(s) it signed no longer verify; run "
                  "`exocourse certificates` to issue them again with the current key", public)


__all__ = ["Change", "revoke", "rotate_key", "withdraw_key", "certificate_id_of"]
