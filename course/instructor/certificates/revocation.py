"""The revocation list: certificates withdrawn, and keys no longer to be trusted, signed.

``certificates/revoked.json`` is published beside the public key and embedded in
``verify.html``. It is a JSON text (``list``) and the Ed25519 signature of its UTF-8 bytes
(after a context string, so it cannot pass for a certificate), made by the current key.
A verifier accepts it only when the signature checks with a published key that the list
itself does not withdraw, so a stolen old key cannot write a list that un-revokes anything.

Entries:

- a certificate, by its certificate id, with the date and reason; ``superseded`` when a
  corrected certificate replaces it (the next ``exocourse certificates`` issues one);
- a key, by key id, when it was lost or may have been read by someone else: every
  certificate it signed then fails, and is issued again with the current key.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from course import _atomic as atomic
from course._errors import ConfigurationError
from course.instructor.certificates.keys import KeyRing, PublicKey

REVOCATIONS_FILE = "revoked.json"
FORMAT = "exocourse-revocations/1"
SIGNING_CONTEXT = b"exocourse revocations v1\x00"


@dataclass(frozen=True)
class RevokedCertificate:
    certificate_id: str
    revoked: str            # YYYY-MM-DD
    reason: str
    superseded: bool = False


@dataclass(frozen=True)
class WithdrawnKey:
    key_id: str
    withdrawn: str
    reason: str


@dataclass(frozen=True)
class RevocationList:
    updated: str = ""
    certificates: tuple[RevokedCertificate, ...] = field(default_factory=tuple)
    keys: tuple[WithdrawnKey, ...] = field(default_factory=tuple)

    def certificate(self, certificate_id: str) -> RevokedCertificate | None:
        return next((c for c in self.certificates if c.certificate_id == certificate_id), None)

    def key(self, key_id: str) -> WithdrawnKey | None:
        return next((k for k in self.keys if k.key_id == key_id), None)

    def text(self) -> str:
        data = {"format": FORMAT, "updated": self.updated,
                "certificates": [{"id": c.certificate_id, "revoked": c.revoked, "reason": c.reason,
                                  "superseded": c.superseded} for c in self.certificates],
                "keys": [{"id": k.key_id, "withdrawn": k.withdrawn, "reason": k.reason} for k in self.keys]}
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signed_file(revocations: RevocationList, key: Ed25519PrivateKey) -> str:
    """The published file: the list's text, who signed it and the signature."""
    text = revocations.text()
    signer = PublicKey.of(key)
    signature = key.sign(SIGNING_CONTEXT + text.encode("utf-8"))
    return json.dumps({"format": FORMAT, "signedBy": signer.key_id, "list": text, "signature": _b64(signature)},
                      ensure_ascii=False, indent=1) + "\n"


def write_revocations(path: Path, revocations: RevocationList, key: Ed25519PrivateKey) -> Path:
    return atomic.write_text(path, signed_file(revocations, key))


def parse_revocations(text: str, ring: KeyRing, source: str) -> RevocationList:
    """The list in a published file, after checking its signature (ConfigurationError otherwise)."""
    damaged = (f"The revocation list {source} is damaged or was not signed with this course's key. Get a fresh "
               "copy from the course's provider; until then revoked certificates cannot be told apart.")
    try:
        outer = json.loads(text)
        signer = ring.find(str(outer["signedBy"]))
        inner_text, signature = str(outer["list"]), _unb64(str(outer["signature"]))
        inner = json.loads(inner_text)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ConfigurationError(damaged) from None
    if signer is None or not signer.verifies(signature, SIGNING_CONTEXT + inner_text.encode("utf-8")):
        raise ConfigurationError(damaged)
    try:
        revocations = RevocationList(
            str(inner["updated"]),
            tuple(RevokedCertificate(str(c["id"]), str(c["revoked"]), str(c["reason"]), bool(c.get("superseded")))
                  for c in inner["certificates"]),
            tuple(WithdrawnKey(str(k["id"]), str(k["withdrawn"]), str(k["reason"])) for k in inner["keys"]))
    except (KeyError, TypeError, AttributeError):
        raise ConfigurationError(damaged) from None
    if revocations.key(signer.key_id) is not None:
        raise ConfigurationError(f"The revocation list {source} is signed with the key {signer.key_id}, which it "
                                 "says is withdrawn. Get a fresh copy from the course's provider.")
    return revocations


def read_revocations(path: Path, ring: KeyRing) -> RevocationList | None:
    """The revocation list at ``path`` (None when there is none)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"The revocation list {path} cannot be read ({getattr(exc, 'strerror', None) or exc})."
                                 " Get a fresh copy from the course's provider.") from None
    return parse_revocations(text, ring, str(path))


def now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def with_certificate(revocations: RevocationList, entry: RevokedCertificate) -> RevocationList:
    kept = tuple(c for c in revocations.certificates if c.certificate_id != entry.certificate_id)
    return replace(revocations, updated=now(), certificates=(*kept, entry))


def with_key(revocations: RevocationList, entry: WithdrawnKey) -> RevocationList:
    kept = tuple(k for k in revocations.keys if k.key_id != entry.key_id)
    return replace(revocations, updated=now(), keys=(*kept, entry))


__all__ = ["REVOCATIONS_FILE", "RevocationList", "RevokedCertificate", "WithdrawnKey", "read_revocations",
           "parse_revocations", "write_revocations", "signed_file", "with_certificate", "with_key"]
