"""``verify.html``: one self-contained page that checks a certificate code in the browser.

The page embeds the public keys, the signed revocation list and the achievement catalogue,
its script (``assets/certificates/verify.js``) and TweetNaCl (``nacl.min.js``, public
domain, audited), used where the browser has no Ed25519 of its own. Its Content Security
Policy allows exactly those two scripts (by their SHA-256) and its own style sheet, and no
connection of any kind: the page cannot load or send anything, so it works offline and a
code typed into it stays on the reader's device.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
from pathlib import Path

from course import _atomic as atomic
from course._assets import asset_path
from course.instructor.certificates.credential import Achievement
from course.instructor.certificates.keys import KeyRing

TEMPLATE = "certificates/verify.html"
SCRIPT = "certificates/verify.js"
STYLE = "certificates/verify.css"
FALLBACK = "certificates/nacl.min.js"


def _source_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def render(ring: KeyRing, revocations_file: str, catalogue: dict[str, Achievement]) -> str:
    """The page's HTML."""
    script = asset_path(SCRIPT).read_text(encoding="utf-8")
    fallback = asset_path(FALLBACK).read_text(encoding="utf-8")
    style = asset_path(STYLE).read_text(encoding="utf-8")
    achievements = sorted(catalogue.values(), key=lambda a: a.version)
    data = {"keys": [{"id": k.key_id, "raw": base64.urlsafe_b64encode(k.raw).rstrip(b"=").decode("ascii")}
                     for k in ring.keys],
            "revocations": revocations_file,
            "achievements": [a.text() for a in achievements]}
    # "<" written as \u003c: no text inside the data can close its <script> element.
    embedded = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    csp = (f"default-src 'none'; script-src {_source_hash(fallback)} {_source_hash(script)}; "
           f"style-src {_source_hash(style)}; img-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'")
    updated = json.loads(json.loads(revocations_file)["list"])["updated"][:10]
    providers = sorted({a.provider for a in achievements}) or ["the course's provider"]
    return asset_path(TEMPLATE).read_text(encoding="utf-8").format(
        csp=html.escape(csp, quote=False), style=style, data=embedded, nacl=fallback, verify=script,
        provider=html.escape(", ".join(providers)), key_ids=html.escape(", ".join(k.key_id for k in ring.keys)),
        revocations_updated=html.escape(updated))


def write_verify_page(path: Path, ring: KeyRing, revocations_file: str, catalogue: dict[str, Achievement]) -> Path:
    return atomic.write_text(path, render(ring, revocations_file, catalogue))


__all__ = ["render", "write_verify_page"]
