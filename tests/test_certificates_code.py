"""course/instructor/certificates/code.py: a code a person can copy or type, with typos caught."""
import os
import random

import pytest

from course.instructor.certificates.code import (
    ALPHABET,
    LINE_SYMBOLS,
    CodeProblem,
    check_character,
    decode,
    encode,
    normalise,
    printed_lines,
)


@pytest.mark.parametrize("length", [1, 2, 12, 13, 64, 151, 200])
def test_bytes_come_back_from_the_code_and_from_its_printed_lines(length):
    data = os.urandom(length)
    code = encode(data)
    assert decode(code) == data
    assert decode("\n".join(printed_lines(code))) == data


def test_case_spaces_hyphens_and_look_alike_letters_do_not_matter():
    data = os.urandom(120)
    code = encode(data)
    typed = "  " + "\n  ".join(printed_lines(code)).lower().replace("0", "o").replace("1", "l") + " "
    assert decode(typed) == data and normalise(typed) == code
    assert decode(f"https://example.org/certificates/verify.html#{code}") == data  # the QR code's link


def test_printed_lines_have_four_groups_of_five_and_a_check_character():
    lines = printed_lines(encode(os.urandom(151)))
    assert lines[0].startswith("ERC-")
    assert all(len(line.split("-")) == 5 and len(line.split("-")[-1]) == 1 for line in lines[1:-1])


def test_every_single_substitution_in_a_line_is_caught_and_the_line_is_named():
    code = encode(os.urandom(151))
    body = code[4:]
    last_line = (len(body) - 1) // (LINE_SYMBOLS + 1) * (LINE_SYMBOLS + 1)
    for position in [*range(0, 2 * (LINE_SYMBOLS + 1)), *range(last_line, len(body))]:  # two lines and the last
        for substitute in ALPHABET.replace(body[position], ""):
            altered = "ERC-" + body[:position] + substitute + body[position + 1:]
            with pytest.raises(CodeProblem, match=rf"line {position // (LINE_SYMBOLS + 1) + 1} of the code"):
                decode(altered)


def test_the_check_character_catches_every_substitution_and_every_neighbour_swap():
    rng = random.Random(2026)
    for _ in range(60):
        line = rng.randrange(12)
        body = "".join(rng.choice(ALPHABET) for _ in range(LINE_SYMBOLS))
        check = check_character(body, line)
        for i in range(LINE_SYMBOLS):
            for substitute in ALPHABET.replace(body[i], ""):
                assert check_character(body[:i] + substitute + body[i + 1:], line) != check
            if i < LINE_SYMBOLS - 1 and body[i] != body[i + 1]:
                assert check_character(body[:i] + body[i + 1] + body[i] + body[i + 2:], line) != check


def test_two_lines_swapped_or_one_left_out_are_caught():
    lines = printed_lines(encode(os.urandom(151)))
    swapped = [lines[0], lines[2], lines[1], *lines[3:]]
    with pytest.raises(CodeProblem, match="line 2 of the code"):
        decode("\n".join(swapped))
    with pytest.raises(CodeProblem):
        decode("\n".join(lines[:3] + lines[4:]))


def test_a_left_out_character_is_caught():
    code = encode(os.urandom(151))
    with pytest.raises(CodeProblem):
        decode(code[:30] + code[31:])


@pytest.mark.parametrize("typed, message", [
    ("", "not a certificate code of this course"),
    ("hello", "not a certificate code of this course"),
    ("ERC-", "nothing after ERC-"),
    ("ERC-UUUUU", "contains 'U'"),
    ("ERC-AB!CD", "contains '!'"),
])
def test_a_malformed_code_says_what_is_wrong_in_plain_words(typed, message):
    with pytest.raises(CodeProblem, match=message):
        decode(typed)
