"""Signing a credential into a code, and checking a code with nothing but public files.

``verify_code`` needs only the public key ring; with the revocation list it also catches
withdrawn certificates and keys, and with the achievement catalogue it names the course.
``load_published`` reads all three from the files the course publishes side by side
(``public-key.pem``, ``revoked.json``, ``achievements.json``), which is what
``exocourse verify CODE --public-key FILE`` does in an empty folder.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from course import _atomic as atomic
from course._errors import ConfigurationError
from course.instructor.certificates import code as codes
from course.instructor.certificates.credential import (
    FORMAT,
    KEY_ID_BYTES,
    SIGNATURE_BYTES,
    Achievement,
    Credential,
    CredentialProblem,
    canonical,
    current_achievement,
    parse,
    signed_message,
)
from course.instructor.certificates.keys import PUBLIC_KEY_FILE, KeyRing, read_key_ring
from course.instructor.certificates.revocation import REVOCATIONS_FILE, RevocationList, read_revocations

ACHIEVEMENTS_FILE = "achievements.json"
ACHIEVEMENTS_FORMAT = "exocourse-achievements/1"


def sign(credential: Credential, key: Ed25519PrivateKey) -> str:
    """The code of ``credential``, signed with ``key``."""
    payload = canonical(credential)
    return codes.encode(payload + key.sign(signed_message(payload)))


# ------------------------------------------------------------------ the achievement catalogue
def read_achievements(path: Path) -> dict[str, Achievement]:
    """Digest (hex) -> achievement, from a published catalogue (empty when there is none)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        texts = [str(text) for text in data["achievements"]]
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise ConfigurationError(f"{path} is damaged. Get a fresh copy of the course's achievements.json from its "
                                 "provider (or delete it: certificates still verify, without the course's title).") from None
    catalogue: dict[str, Achievement] = {}
    for text in texts:
        try:
            achievement = Achievement.from_text(text)
        except (ValueError, KeyError, TypeError):
            continue
        catalogue[achievement.digest.hex()] = achievement   # keyed by the digest of the text as published
    return catalogue


def write_achievements(path: Path, catalogue: dict[str, Achievement]) -> Path:
    texts = sorted((a.text() for a in catalogue.values()), key=lambda t: json.loads(t)["version"])
    return atomic.write_text(path, json.dumps({"format": ACHIEVEMENTS_FORMAT, "achievements": texts},
                                              ensure_ascii=False, indent=1) + "\n")


# ------------------------------------------------------------------ what a verifier holds
@dataclass(frozen=True)
class Published:
    """The public files a verifier has: the keys, and if found, revocations and the catalogue."""

    ring: KeyRing
    revocations: RevocationList | None = None
    achievements: dict[str, Achievement] = field(default_factory=dict)
    source: Path | None = None


def load_published(public_key_file: Path, revocations_file: Path | None = None) -> Published:
    """The public key ring in ``public_key_file``, with ``revoked.json`` and ``achievements.json``
    from beside it (or ``revocations_file``) when they are there."""
    public_key_file = Path(public_key_file)
    ring = read_key_ring(public_key_file)
    revocations_path = revocations_file or public_key_file.with_name(REVOCATIONS_FILE)
    if revocations_file is not None and not revocations_file.exists():
        raise ConfigurationError(f"There is no revocation list at {revocations_file}.")
    catalogue = read_achievements(public_key_file.with_name(ACHIEVEMENTS_FILE))
    installed = current_achievement()
    catalogue.setdefault(installed.digest.hex(), installed)
    return Published(ring, read_revocations(revocations_path, ring), catalogue, public_key_file)


def course_public_key(course_dir: Path) -> Path:
    return Path(course_dir) / "certificates" / PUBLIC_KEY_FILE


# ------------------------------------------------------------------ verifying
@dataclass(frozen=True)
class Verification:
    """The answer to "is this code genuine?"."""

    genuine: bool
    reason: str
    credential: Credential | None = None
    code: str = ""
    achievement: Achievement | None = None
    revocations: RevocationList | None = None
    revoked: bool = False

    def describe(self) -> str:
        if not (self.genuine and self.credential):
            return self.reason
        c, a = self.credential, self.achievement
        title = f"{a.title} (version {c.course_version})" if a else f"version {c.course_version} of the course"
        modules = "\n".join(f"    Module {m.module}" + (f": {a.module_title(m.module)}" if a else "") + f" ({m.percent} %)"
                            for m in c.modules)
        lines = [
            f"GENUINE: certificate {c.certificate_id}, signed with the course's key {c.key_id}",
            f"  Learner:             {c.name}",
            *([f"  Registration number: {c.registration}"] if c.registration else []),
            f"  Course:              {title}",
            f"  Modules passed:\n{modules}",
            f"  Overall score:       {c.score} %",
            f"  CPD time:            {c.cpd_hours} hours" + (f" ({a.cpd_type})" if a else ""),
            f"  Date issued:         {c.valid_from.isoformat()}",
        ]
        if a:
            lines += [f"  Provider:            {a.provider}", f"  Content reviewed:    {a.content_review_date}"]
        else:
            lines.append("  (The course's title and provider are in achievements.json, published beside the public "
                         "key; it was not found, so they are not shown.)")
        if self.revocations is not None:
            lines.append(f"  Not revoked:         checked against the revocation list of {self.revocations.updated[:10]}")
        else:
            lines.append("  Not revoked:         NOT CHECKED: no revoked.json beside the public key. A certificate "
                         "withdrawn since would still show as genuine; get revoked.json from the provider.")
        return "\n".join(lines)


def _not_verified(shown: str, why: str) -> Verification:
    return Verification(False, f"NOT VERIFIED: {shown}: {why}.")


def verify_code(text: str, published: Published) -> Verification:
    """Check a certificate code (as typed, pasted or scanned) against the published keys."""
    shown = " ".join(text.split())[:60] + ("…" if len(" ".join(text.split())) > 60 else "")
    try:
        data = codes.decode(text)
    except codes.CodeProblem as problem:
        return _not_verified(repr(shown), str(problem))
    printed = codes.normalise(text)
    shown = printed[:24] + "…"
    if len(data) <= 1 + KEY_ID_BYTES + SIGNATURE_BYTES:
        return _not_verified(shown, "it is too short to be a certificate code: copy the whole code, every line of it")
    payload, signature = data[:-SIGNATURE_BYTES], data[-SIGNATURE_BYTES:]
    if payload[0] != FORMAT:
        return _not_verified(shown, "it is in a certificate format this version of the course does not know "
                                    "(or it has been altered)")
    key_id = payload[1:1 + KEY_ID_BYTES].hex()
    key = published.ring.find(key_id)
    if key is None:
        return _not_verified(shown, f"it was signed with a key (id {key_id}) that is not among this course's public "
                                    "keys: it was not issued by this course, or has been altered (if it is new, get "
                                    "the course's current public-key.pem)")
    if not key.verifies(signature, signed_message(payload)):
        return _not_verified(shown, "its signature does not match its contents: the code has been altered, or it "
                                    "was not issued by this course. Treat the certificate as not genuine")
    try:
        credential = parse(payload)
    except CredentialProblem as problem:
        return _not_verified(shown, f"it is signed but cannot be read ({problem})")
    achievement = published.achievements.get(credential.achievement_digest)
    revocations = published.revocations
    if revocations is not None:
        withdrawn = revocations.key(key_id)
        if withdrawn is not None:
            return Verification(False, f"NOT VALID: certificate {credential.certificate_id} was signed with the key "
                                       f"{key_id}, which the course withdrew on {withdrawn.withdrawn} ({withdrawn.reason})."
                                       " Ask the course's provider for the certificate issued again with its current "
                                       "key.", credential, printed, achievement, revocations, revoked=True)
        revoked = revocations.certificate(credential.certificate_id)
        if revoked is not None:
            what = "replaced by a corrected certificate" if revoked.superseded else "revoked"
            return Verification(False, f"REVOKED: certificate {credential.certificate_id} ({credential.name}) was "
                                       f"{what} on {revoked.revoked}. Reason: {revoked.reason}",
                                credential, printed, achievement, revocations, revoked=True)
    return Verification(True, "genuine", credential, printed, achievement, revocations)


def proof_value(code: str) -> str:
    """The signature in a code, base64url (for the JSON view of a credential)."""
    return base64.urlsafe_b64encode(codes.decode(code)[-SIGNATURE_BYTES:]).rstrip(b"=").decode("ascii")


__all__ = ["sign", "verify_code", "Verification", "Published", "load_published", "read_achievements",
           "write_achievements", "ACHIEVEMENTS_FILE", "course_public_key", "proof_value"]
