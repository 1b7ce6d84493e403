"""Numbers written the way a learner reads them on a certificate of analysis."""
from __future__ import annotations

import math

_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def format_scientific(value: float, digits: int = 2) -> str:
    """A number as a learner reads it on a certificate: 6000000000 -> "6.0×10⁹".

    Numbers from 0.01 to 9,999 are written plainly ("40", "2.5"); anything larger or
    smaller in powers of ten with ``digits`` significant figures.
    """
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    exponent = math.floor(math.log10(abs(value)))
    mantissa = value / 10 ** exponent
    if round(mantissa, digits - 1) >= 10:   # 9.99 rounds up to 10.0: carry into the exponent
        mantissa, exponent = mantissa / 10, exponent + 1
    if -2 <= exponent <= 3:
        return f"{value:,.{max(digits - 1 - exponent, 0)}f}" if exponent < digits else f"{value:,.0f}"
    return f"{mantissa:.{digits - 1}f}×10{str(exponent).translate(_SUPERSCRIPT)}"


__all__ = ["format_scientific"]
