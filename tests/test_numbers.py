"""Numbers written as on a certificate (course/_numbers.py)."""
from __future__ import annotations

import pytest

from course._numbers import format_scientific


@pytest.mark.parametrize("value, text", [(6e9, "6.0×10⁹"), (2.4e11, "2.4×10¹¹"), (40, "40"), (2.5, "2.5"),
                                         (9.99e9, "1.0×10¹⁰"), (1.5e9, "1.5×10⁹"), (2e-5, "2.0×10⁻⁵"),
                                         (0, "0"), (float("inf"), "inf")])
def test_numbers_are_written_as_on_a_certificate(value: float, text: str) -> None:
    assert format_scientific(value) == text
