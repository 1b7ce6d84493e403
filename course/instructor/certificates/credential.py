"""What a certificate says, the one byte string that is signed, and the course it is for.

The fields follow the W3C Verifiable Credentials / Open Badges 3.0 model where it fits:
who issued it (``issuer``: the key that signed it, and the provider), when (``validFrom``),
about whom (``credentialSubject``: name, registration number, the ``achievement`` with
its results and the CPD hours earned), and a ``proof`` anyone can check with the public
key. ``Credential.document()`` gives that shape as JSON.

What is signed is ``canonical(credential)``: a compact, versioned binary form with one
field after another in a fixed order (strings length-prefixed UTF-8), so that the code
stays short enough to print, paste and scan. There is exactly one encoding of a
credential; ``parse`` refuses anything that does not re-encode to the same bytes.

The course itself (title, provider, CPD type, modules, learning outcomes) is not in the
code: a certificate names its ``Achievement`` by course version and a SHA-512 digest of
the achievement's text, which is published in ``achievements.json`` beside the public
key and embedded in ``verify.html``. The digest is signed, so a swapped description
would not match.
"""
from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from course.instructor.certificates.code import ALPHABET, to_symbols

FORMAT = 1
SIGNING_CONTEXT = b"exocourse certificate v1\x00"  # so that no other signed document can pass for a certificate
EPOCH = date(2000, 1, 1)
KEY_ID_BYTES = 4
SERIAL_BYTES = 3
DIGEST_BYTES = 8
SIGNATURE_BYTES = 64
MAX_NAME_CHARACTERS = 100
MAX_TEXT_BYTES = 255

# Characters that make text change its look or direction without being seen: a name holding
# one could display as something else than what was signed ("Trojan Source" style).
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class CredentialProblem(Exception):
    """Why some bytes are not a certificate of this course's format."""


def text_problem(value: str, what: str = "the name") -> str | None:
    """What is wrong with ``value`` as text to print and sign, or None when it is fine.

    Refuses control characters (a carriage return, a tab, ...), invisible direction
    controls, line separators, unassigned and private-use code points, and overlong text.
    """
    for char in value:
        category = unicodedata.category(char)
        if category == "Cc":
            label = {"\r": "a carriage return", "\n": "a line break", "\t": "a tab"}.get(
                char, f"the control character U+{ord(char):04X}")
            return f"{what} contains {label}, which cannot be printed or signed: retype it on one line"
        if char in _BIDI_CONTROLS:
            return (f"{what} contains the invisible direction control U+{ord(char):04X}, which could make it "
                    "display differently from what is signed: remove it")
        if category in ("Zl", "Zp"):
            return f"{what} contains a line separator (U+{ord(char):04X}): retype it on one line"
        if category == "Cs":
            return f"{what} contains a broken character (a lone surrogate, U+{ord(char):04X}): retype it"
        if category in ("Co", "Cn"):
            return f"{what} contains U+{ord(char):04X}, which is not a character any font can print: remove it"
    if len(value) > MAX_NAME_CHARACTERS or len(value.encode("utf-8")) > MAX_TEXT_BYTES:
        return f"{what} is longer than a certificate can carry ({MAX_NAME_CHARACTERS} characters): shorten it"
    return None


def clean_text(value: str) -> str:
    """Text as it is signed: Unicode NFC (one spelling of "é"), no surrounding spaces."""
    return unicodedata.normalize("NFC", value).strip()


# ------------------------------------------------------------------ the achievement
@dataclass(frozen=True)
class Achievement:
    """The course a certificate is for, as published beside the public key."""

    version: str
    title: str
    provider: str
    cpd_type: str
    content_review_date: str
    modules: tuple[tuple[str, str], ...]     # (module id, title) of the assessed modules
    outcomes: tuple[str, ...]                # the learning outcomes the certificate states

    def text(self) -> str:
        """The achievement's one JSON text (sorted keys, no spaces): what the digest is of."""
        data = {"version": self.version, "title": self.title, "provider": self.provider, "cpdType": self.cpd_type,
                "contentReviewDate": self.content_review_date, "modules": [list(m) for m in self.modules],
                "outcomes": list(self.outcomes)}
        return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    @property
    def digest(self) -> bytes:
        return digest_of(self.text())

    def module_title(self, module: str) -> str:
        return dict(self.modules).get(module, "")

    @classmethod
    def from_text(cls, text: str) -> Achievement:
        data = json.loads(text)
        return cls(str(data["version"]), str(data["title"]), str(data["provider"]), str(data["cpdType"]),
                   str(data["contentReviewDate"]), tuple((str(a), str(b)) for a, b in data["modules"]),
                   tuple(str(o) for o in data["outcomes"]))


def digest_of(text: str) -> bytes:
    return hashlib.sha512(text.encode("utf-8")).digest()[:DIGEST_BYTES]


def current_achievement() -> Achievement:
    """The achievement of the course as installed (the syllabus's assessed modules and objectives)."""
    from course._syllabus import load_syllabus

    syllabus = load_syllabus()
    info = syllabus.course
    assessed = [m for m in syllabus.modules if m.assessed]
    return Achievement(info.version, info.title, info.provider, info.cpd_type, info.content_review_date,
                       tuple((m.id, m.title) for m in assessed),
                       tuple(f"{o.id} {o.text}" for m in assessed for o in m.objectives))


# ------------------------------------------------------------------ the credential
@dataclass(frozen=True)
class ModuleScore:
    module: str
    tenths: int          # the percentage of the module's autograded points, in tenths (925 = 92.5 %)

    @property
    def percent(self) -> str:
        return _tenths(self.tenths)


def _tenths(value: int) -> str:
    return f"{value // 10}.{value % 10}"


@dataclass(frozen=True)
class Credential:
    """One certificate's signed fields."""

    key_id: str                     # hex: which key signed it (the first bytes of the key's SHA-256)
    serial: str                     # hex: random, so two otherwise identical certificates differ
    valid_from: date                # the day it was issued
    course_version: str
    achievement_digest: str         # hex: the digest of the achievement's text
    name: str
    registration: str
    cpd_quarter_hours: int          # CPD time in quarter hours (13 = 3.25 hours)
    overall_tenths: int             # the overall score in tenths of a per cent
    modules: tuple[ModuleScore, ...] = field(default_factory=tuple)

    @property
    def cpd_hours(self) -> str:
        return f"{self.cpd_quarter_hours / 4:g}"

    @property
    def score(self) -> str:
        return _tenths(self.overall_tenths)

    @property
    def certificate_id(self) -> str:
        """A short name for this certificate (revocation lists use it): ten symbols of its digest."""
        symbols = to_symbols(hashlib.sha512(canonical(self)).digest()[:7])[:10]
        return f"{symbols[:5]}-{symbols[5:]}"

    def document(self, achievement: Achievement | None = None, proof_value: str = "") -> dict[str, Any]:
        """The certificate in the Verifiable Credentials / Open Badges 3.0 shape (JSON-ready)."""
        subject: dict[str, Any] = {
            "name": self.name,
            "achievement": {"id": f"urn:exocourse:achievement:{self.course_version}:{self.achievement_digest}",
                            "version": self.course_version},
            "creditsEarned": self.cpd_hours,
            "result": [{"module": m.module, "percent": m.percent} for m in self.modules]
                      + [{"module": "overall", "percent": self.score}],
        }
        if self.registration:
            subject["registration"] = self.registration
        issuer: dict[str, Any] = {"id": f"urn:exocourse:key:{self.key_id}"}
        if achievement is not None:
            issuer["name"] = achievement.provider
            subject["achievement"] |= {"name": achievement.title, "cpdType": achievement.cpd_type,
                                       "contentReviewDate": achievement.content_review_date}
            subject["result"] = [{"module": m.module, "title": achievement.module_title(m.module),
                                  "percent": m.percent} for m in self.modules] + [subject["result"][-1]]
        document: dict[str, Any] = {
            "id": f"urn:exocourse:certificate:{self.certificate_id}",
            "issuer": issuer,
            "validFrom": f"{self.valid_from.isoformat()}T00:00:00Z",
            "credentialSubject": subject,
        }
        if proof_value:
            document["proof"] = {"type": "Ed25519Signature", "verificationMethod": issuer["id"],
                                 "proofValue": proof_value}
        return document


def _text_bytes(value: str, what: str) -> bytes:
    data = value.encode("utf-8")
    if len(data) > MAX_TEXT_BYTES:
        raise CredentialProblem(f"{what} is too long for a certificate")
    return bytes([len(data)]) + data


def canonical(credential: Credential) -> bytes:
    """The one byte string a credential signs as (and the code carries before the signature)."""
    days = (credential.valid_from - EPOCH).days
    if not 0 <= days < 1 << 16:
        raise CredentialProblem("the date is outside the years 2000 to 2179")
    if not 0 <= credential.cpd_quarter_hours < 256:
        raise CredentialProblem("the CPD time is more than a certificate can carry")
    if not all(0 <= v <= 1000 for v in (credential.overall_tenths, *(m.tenths for m in credential.modules))):
        raise CredentialProblem("a score is outside 0 to 100 %")
    if len(credential.modules) > 255:
        raise CredentialProblem("too many modules")
    parts = [
        bytes([FORMAT]),
        bytes.fromhex(credential.key_id),
        bytes.fromhex(credential.serial),
        days.to_bytes(2, "big"),
        _text_bytes(credential.course_version, "the course version"),
        bytes.fromhex(credential.achievement_digest),
        bytes([credential.cpd_quarter_hours]),
        credential.overall_tenths.to_bytes(2, "big"),
        bytes([len(credential.modules)]),
        *(_text_bytes(m.module, "a module id") + m.tenths.to_bytes(2, "big") for m in credential.modules),
        _text_bytes(credential.name, "the name"),
        _text_bytes(credential.registration, "the registration number"),
    ]
    if len(parts[1]) != KEY_ID_BYTES or len(parts[2]) != SERIAL_BYTES or len(parts[5]) != DIGEST_BYTES:
        raise CredentialProblem("a key id, serial or digest has the wrong length")
    return b"".join(parts)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def take(self, count: int) -> bytes:
        if self.at + count > len(self.data):
            raise CredentialProblem("it ends too early")
        chunk = self.data[self.at:self.at + count]
        self.at += count
        return chunk

    def number(self, count: int) -> int:
        return int.from_bytes(self.take(count), "big")

    def text(self, what: str) -> str:
        raw = self.take(self.number(1))
        try:
            value = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise CredentialProblem(f"{what} is not valid text") from None
        problem = text_problem(value, what)
        if problem or value != clean_text(value):
            raise CredentialProblem(problem or f"{what} is not in its signed form")
        return value


def parse(payload: bytes) -> Credential:
    """The credential ``canonical`` encoded as ``payload`` (CredentialProblem when it is not one)."""
    reader = _Reader(payload)
    if reader.number(1) != FORMAT:
        raise CredentialProblem("it is a certificate format this version of the course does not know")
    key_id = reader.take(KEY_ID_BYTES).hex()
    serial = reader.take(SERIAL_BYTES).hex()
    valid_from = EPOCH + timedelta(days=reader.number(2))
    version = reader.text("the course version")
    digest = reader.take(DIGEST_BYTES).hex()
    quarter_hours = reader.number(1)
    overall = reader.number(2)
    modules = []
    for _ in range(reader.number(1)):
        module = reader.text("a module id")
        modules.append(ModuleScore(module, reader.number(2)))
    name = reader.text("the name")
    registration = reader.text("the registration number")
    credential = Credential(key_id, serial, valid_from, version, digest, name, registration, quarter_hours, overall,
                            tuple(modules))
    if reader.at != len(payload):
        raise CredentialProblem("it has extra bytes at the end")
    try:
        again = canonical(credential)
    except CredentialProblem:
        raise CredentialProblem("a field is out of range") from None
    if again != payload:
        raise CredentialProblem("it is not in its one signed form")
    return credential


def signed_message(payload: bytes) -> bytes:
    """What the key signs: a context string, then the canonical bytes."""
    return SIGNING_CONTEXT + payload


__all__ = ["Credential", "ModuleScore", "Achievement", "CredentialProblem", "canonical", "parse", "signed_message",
           "current_achievement", "text_problem", "clean_text", "digest_of", "ALPHABET"]
