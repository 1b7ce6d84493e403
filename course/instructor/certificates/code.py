"""The certificate code: a signed certificate written so that a person can copy or type it.

A code carries the whole signed certificate (see ``credential``) and its Ed25519
signature, so it can be checked with nothing but the course's public key. Its bytes are
written in Crockford's base32 (digits and capital letters without I, L, O or U), so a
code read aloud, retyped or scanned is unambiguous: case, spaces and hyphens do not
matter, and O reads as 0, I and L as 1.

The symbols come in lines of up to 20, each followed by a check character, so a typo is
caught (and located) before any cryptography runs. The check character is a weighted sum
in GF(32), the field of 5-bit values, with the line's number mixed in: any single changed
character and any swap of two neighbours changes it (the weights are distinct non-zero
field elements), and so does moving a whole line.

    ERC-7K2QM-ZX8PA-...-R        (the first line starts with the prefix)
        A0FJW-...-3
"""
from __future__ import annotations

import re

PREFIX = "ERC"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LINE_SYMBOLS = 20   # symbols per line before its check character (at most 31 for distinct weights)
GROUP = 5           # symbols per hyphen-separated group when printed
_LOOK_ALIKES = str.maketrans("OIL", "011")
_SEPARATORS = re.compile(r"[\s\-_.]")
EXAMPLE = "ERC-XXXXX-XXXXX-XXXXX-XXXXX-C ..."


class CodeProblem(Exception):
    """Why a string is not a well-formed certificate code (said for the person who typed it)."""


def _gf32_multiply(a: int, b: int) -> int:
    """Multiplication in GF(32) (polynomial x^5 + x^2 + 1)."""
    product = 0
    while b:
        if b & 1:
            product ^= a
        b >>= 1
        a <<= 1
        if a & 0b100000:
            a ^= 0b100101
    return product


def check_character(symbols: str, line: int = 0) -> str:
    """The check character of one line of ``symbols`` (its 0-based ``line`` number mixed in)."""
    total, weight = (line + 1) & 31, 1
    for character in symbols:
        total ^= _gf32_multiply(weight, ALPHABET.index(character))
        weight = _gf32_multiply(weight, 2)
    return ALPHABET[total]


def to_symbols(data: bytes) -> str:
    """``data`` in base32, padded with zero bits to a whole symbol."""
    bits = len(data) * 8
    count = -(-bits // 5)
    number = int.from_bytes(data, "big") << (count * 5 - bits)
    return "".join(ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(count)))


def from_symbols(symbols: str) -> bytes:
    """The bytes ``to_symbols`` wrote (CodeProblem when the length or padding cannot be one of its)."""
    length = len(symbols) * 5 // 8
    if -(-length * 8 // 5) != len(symbols):
        raise CodeProblem("it has too few or too many characters: a character was probably left out or added")
    number = 0
    for character in symbols:
        number = number << 5 | ALPHABET.index(character)
    padding = len(symbols) * 5 - length * 8
    if number & ((1 << padding) - 1):
        raise CodeProblem("its last line has been altered or mistyped")
    return (number >> padding).to_bytes(length, "big")


def encode(data: bytes) -> str:
    """The compact code for ``data``: prefix, then each line's symbols and check character."""
    symbols = to_symbols(data)
    lines = [symbols[i:i + LINE_SYMBOLS] for i in range(0, len(symbols), LINE_SYMBOLS)]
    return PREFIX + "-" + "".join(line + check_character(line, n) for n, line in enumerate(lines))


def printed_lines(code: str) -> list[str]:
    """The code as printed: one line per check character, groups of five joined by hyphens."""
    body = normalise(code)[len(PREFIX) + 1:]
    lines = []
    for start in range(0, len(body), LINE_SYMBOLS + 1):
        chunk = body[start:start + LINE_SYMBOLS + 1]
        symbols, check = chunk[:-1], chunk[-1]
        groups = [symbols[i:i + GROUP] for i in range(0, len(symbols), GROUP)]
        lines.append("-".join([*groups, check]))
    lines[0] = f"{PREFIX}-{lines[0]}"
    return lines


def _checked_lines(text: str) -> list[str]:
    compact = _SEPARATORS.sub("", text.split("#")[-1]).upper()
    if not compact.startswith(PREFIX):
        raise CodeProblem(f"it is not a certificate code of this course: codes start with {PREFIX}- and look "
                          f"like {EXAMPLE}")
    body = compact[len(PREFIX):].translate(_LOOK_ALIKES)
    if not body:
        raise CodeProblem(f"it has nothing after {PREFIX}-: copy the whole code, every line of it")
    wrong = sorted({c for c in body if c not in ALPHABET})
    if wrong:
        raise CodeProblem(f"it contains {', '.join(repr(c) for c in wrong)}, which no certificate code has "
                          "(codes use the digits and the letters A to Z except I, L, O and U)")
    lines = []
    for number, start in enumerate(range(0, len(body), LINE_SYMBOLS + 1)):
        chunk = body[start:start + LINE_SYMBOLS + 1]
        if len(chunk) < 2 or check_character(chunk[:-1], number) != chunk[-1]:
            raise CodeProblem(f"line {number + 1} of the code has been mistyped or altered (its last character "
                              "does not match the rest): check each character of that line against the "
                              "certificate, and that no character was left out or added before it")
        lines.append(chunk[:-1])
    return lines


def normalise(text: str) -> str:
    """A code as typed, pasted or scanned, in its compact form ``ERC-<symbols>``.

    Raises CodeProblem, saying what is wrong and where, when it is not a well-formed code.
    A link to the verification page (``...verify.html#ERC-...``) is accepted as well.
    """
    lines = _checked_lines(text)
    return f"{PREFIX}-" + "".join(line + check_character(line, n) for n, line in enumerate(lines))


def decode(text: str) -> bytes:
    """The bytes a code carries (CodeProblem when it is not a well-formed code)."""
    return from_symbols("".join(_checked_lines(text)))


__all__ = ["PREFIX", "ALPHABET", "CodeProblem", "encode", "decode", "normalise", "printed_lines", "check_character"]
