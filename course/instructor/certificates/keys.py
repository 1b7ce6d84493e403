"""The signing key (private, the instructor's alone) and the public keys (published).

- The private key signs certificates and the revocation list. It lives outside the
  repository and outside the course folder (grading reads and writes the course folder),
  by default ``~/.config/exosome-reality-check/certificate-signing-key.pem`` (override
  with ``--key-file`` or ``$EXOCOURSE_CERTIFICATE_KEY``), created on first use with mode
  0600 in a 0700 folder, and refused when anyone else can read it.
- The public keys are ``certificates/public-key.pem`` in the course folder: the current
  key first, then every earlier key, so that a certificate signed before a key rotation
  still verifies. Each key is named by its key id, the first four bytes of the SHA-256 of
  its 32 raw bytes, in hexadecimal.
"""
from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from course import _atomic as atomic
from course._errors import ConfigurationError
from course._syllabus import PROJECT_ROOT

KEY_ENV = "EXOCOURSE_CERTIFICATE_KEY"
DEFAULT_KEY_FILE = Path("~/.config/exosome-reality-check/certificate-signing-key.pem")
PUBLIC_KEY_FILE = "public-key.pem"
_PEM_BLOCK = re.compile(r"-----BEGIN PUBLIC KEY-----\s.*?-----END PUBLIC KEY-----", re.S)


def key_path(key_file: Path | str | None = None) -> Path:
    """Where the private key is: ``key_file``, else ``$EXOCOURSE_CERTIFICATE_KEY``, else the default."""
    chosen = key_file or os.environ.get(KEY_ENV) or DEFAULT_KEY_FILE
    return Path(chosen).expanduser().absolute()


# ------------------------------------------------------------------ public keys
@dataclass(frozen=True)
class PublicKey:
    """One Ed25519 public key and its key id."""

    raw: bytes

    @property
    def key_id(self) -> str:
        return hashlib.sha256(self.raw).digest()[:4].hex()

    def verifies(self, signature: bytes, message: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def pem(self) -> str:
        key = Ed25519PublicKey.from_public_bytes(self.raw)
        return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    @classmethod
    def of(cls, private: Ed25519PrivateKey) -> PublicKey:
        return cls(private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


@dataclass(frozen=True)
class KeyRing:
    """The published public keys, the current one first."""

    keys: tuple[PublicKey, ...]

    @property
    def current(self) -> PublicKey | None:
        return self.keys[0] if self.keys else None

    def find(self, key_id: str) -> PublicKey | None:
        return next((key for key in self.keys if key.key_id == key_id), None)

    def with_current(self, key: PublicKey) -> KeyRing:
        return KeyRing((key, *(k for k in self.keys if k != key)))


def parse_key_ring(text: str, source: str) -> KeyRing:
    """The public keys in PEM ``text`` (one or more ``BEGIN PUBLIC KEY`` blocks)."""
    keys = []
    for block in _PEM_BLOCK.findall(text):
        try:
            key = serialization.load_pem_public_key(block.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise ConfigurationError(f"{source} holds a public key that cannot be read. Get a fresh copy of the "
                                     "course's public-key.pem from its provider.") from None
        if not isinstance(key, Ed25519PublicKey):
            raise ConfigurationError(f"{source} holds a public key that is not an Ed25519 key, which this course "
                                     "does not use. Get the course's public-key.pem from its provider.")
        keys.append(PublicKey(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)))
    if not keys:
        raise ConfigurationError(f"{source} holds no public key (no BEGIN PUBLIC KEY block). Get the course's "
                                 "public-key.pem from its provider.")
    return KeyRing(tuple(keys))


def read_key_ring(path: Path) -> KeyRing:
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise ConfigurationError(f"There is no public key file at {path}. Give the path of the course's "
                                 "public-key.pem with --public-key FILE.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{path} cannot be read as a public key file "
                                 f"({getattr(exc, 'strerror', None) or exc}).") from None
    return parse_key_ring(text, str(path))


def write_key_ring(path: Path, ring: KeyRing, retired: dict[str, str] | None = None) -> Path:
    """Publish ``ring`` at ``path``, each key under a line naming its id and whether it is current."""
    retired = retired or {}
    parts = ["Exosome Reality Check: the public keys that check its certificates (exocourse verify, verify.html).\n"
             "The first key signs new certificates; the others signed earlier ones, which stay valid.\n"]
    for number, key in enumerate(ring.keys):
        status = "current" if number == 0 else f"retired {retired.get(key.key_id, '')}".strip()
        parts.append(f"\nKey id {key.key_id} ({status})\n{key.pem()}")
    return atomic.write_text(path, "".join(parts))


def retirement_notes(path: Path) -> dict[str, str]:
    """Key id -> "on YYYY-MM-DD" as written in an existing public key file (for rewriting it)."""
    if not path.exists():
        return {}
    found = re.findall(r"Key id ([0-9a-f]{8}) \(retired ?([^)]*)\)", path.read_text(encoding="ascii", errors="replace"))
    return {key_id: note for key_id, note in found}


# ------------------------------------------------------------------ the private key
def refuse_unsafe_location(path: Path, course_dir: Path | None = None) -> None:
    """A private key inside the repository could be committed; inside the course folder, read by grading."""
    resolved = path.resolve()
    places = [(PROJECT_ROOT.resolve(), "the course repository, where it could be committed or published")]
    if course_dir is not None:
        places.append((Path(course_dir).resolve(), "the course folder, which grading reads and writes"))
    for place, why in places:
        if resolved.is_relative_to(place):
            raise ConfigurationError(
                f"The certificate signing key {path} would be inside {why}. Keep it outside, for example at "
                f"the default {DEFAULT_KEY_FILE} (choose with --key-file or ${KEY_ENV}).")


def read_private_key(path: Path, course_dir: Path | None = None) -> Ed25519PrivateKey:
    """The signing key at ``path``; a ConfigurationError with the fix when it is missing, readable by
    others, in an unsafe place or damaged."""
    refuse_unsafe_location(path, course_dir)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigurationError(
            f"The certificate signing key {path} does not exist. If you issued certificates on another machine or "
            f"with --key-file, point to that key with --key-file or ${KEY_ENV}; restore it from your backup if it "
            "was lost (or, if it is lost for good, start a new key with `exocourse certificate-key rotate`: "
            "certificates already issued still verify with the public key).") from None
    except OSError as exc:
        raise ConfigurationError(f"The certificate signing key {path} cannot be read ({exc.strerror}). Check that "
                                 "it is a file you can read, or restore it from your backup.") from None
    if mode & 0o077:
        raise ConfigurationError(
            f"The certificate signing key {path} can be read by other users (mode {mode:04o}). Anyone who reads it "
            f"can forge certificates: run `chmod 600 {path}`, and consider rotating the key if others may have "
            "read it (`exocourse certificate-key rotate`).")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise ConfigurationError(
            f"The certificate signing key {path} is damaged: it should be an unencrypted Ed25519 private key in "
            "PEM form (BEGIN PRIVATE KEY). Restore it from your backup. (Do not replace it with a new key unless "
            "you mean to: use `exocourse certificate-key rotate` for that.)") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigurationError(f"The certificate signing key {path} is not an Ed25519 key. Restore the course's "
                                 "key from your backup.")
    return key


def create_private_key(path: Path, course_dir: Path | None = None) -> Ed25519PrivateKey:
    """Create a new signing key at ``path`` with mode 0600 (never overwrites an existing file)."""
    refuse_unsafe_location(path, course_dir)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_private_key(path, course_dir)
    except OSError as exc:
        raise ConfigurationError(f"The certificate signing key {path} cannot be created ({exc.strerror}). Choose "
                                 f"another place with --key-file or ${KEY_ENV}.") from None
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(b"Exosome Reality Check certificate signing key. Keep it secret and back it up;\n"
                     b"the public key that checks its certificates is published as public-key.pem.\n")
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())
    return key


@dataclass(frozen=True)
class Rotation:
    retired: str        # the old key id
    current: str        # the new key id
    archived: Path      # where the old private key now is


def rotate_private_key(path: Path, course_dir: Path | None = None, today: date | None = None) -> Rotation:
    """Replace the signing key at ``path`` with a new one; the old key file is kept beside it
    (renamed, still 0600) until the instructor deletes it. The caller republishes the public keys."""
    old = read_private_key(path, course_dir)
    old_id = PublicKey.of(old).key_id
    archived = path.with_name(f"{path.stem}.retired-{old_id}{path.suffix}")
    if archived.exists():
        raise ConfigurationError(f"{archived} already exists: the key {old_id} was retired before. Move that file "
                                 "away and run again.")
    os.replace(path, archived)
    try:
        new = create_private_key(path, course_dir)
    except BaseException:
        os.replace(archived, path)   # put the old key back: never leave the instructor without one
        raise
    return Rotation(old_id, PublicKey.of(new).key_id, archived)


__all__ = ["KEY_ENV", "DEFAULT_KEY_FILE", "PUBLIC_KEY_FILE", "PublicKey", "KeyRing", "key_path", "read_key_ring",
           "parse_key_ring", "write_key_ring", "read_private_key", "create_private_key", "rotate_private_key",
           "Rotation", "refuse_unsafe_location", "retirement_notes"]
