"""The purity model (course/_figures/_purity.py): Webber and Clayton's bands, the ratio, placement."""
from __future__ import annotations

import pytest

from course._errors import AnswerFormatError, ContentError
from course._figures._purity import load_purity_bands, purity_band, purity_ratio


def test_the_ratio_is_particles_per_ml_divided_by_micrograms_per_ml() -> None:
    assert purity_ratio(2.4e11, 40) == pytest.approx(6e9)


@pytest.mark.parametrize("ratio, label", [
    (1.0e6, "impure"),
    (1.49e9, "impure"),
    (1.5e9, "between bands (impure and low purity)"),      # "<1.5×10⁹" excludes the edge
    (1.99e9, "between bands (impure and low purity)"),
    (2.0e9, "low purity"),                                 # "2×10⁹–2×10¹⁰" includes both edges
    (2.0e10, "low purity"),
    (2.01e10, "between bands (low purity and high purity)"),
    (3.0e10, "between bands (low purity and high purity)"),  # ">3×10¹⁰" excludes the edge
    (3.01e10, "high purity"),
    (1.0e13, "high purity"),
])
def test_the_band_is_right_at_and_either_side_of_every_band_edge(ratio: float, label: str) -> None:
    placement = purity_band(ratio)
    assert placement.label == label
    assert placement.classified is (not label.startswith("between"))


def test_the_bands_are_webber_and_claytons_and_cite_them() -> None:
    bands = {b.name: b for b in load_purity_bands()}
    assert set(bands) == {"impure", "low purity", "high purity"}
    assert (bands["impure"].lower, bands["impure"].upper) == (None, 1.5e9)
    assert (bands["low purity"].lower, bands["low purity"].upper) == (2e9, 2e10)
    assert (bands["high purity"].lower, bands["high purity"].upper) == (3e10, None)
    assert all(b.reference == "webber2013" for b in bands.values())


@pytest.mark.parametrize("particles, protein", [(0, 40), (2e11, 0), (-1, 4), (float("nan"), 4), ("2e11", 4)])
def test_purity_ratio_refuses_impossible_amounts_with_a_plain_message(particles: object, protein: object) -> None:
    with pytest.raises(AnswerFormatError, match="must be"):
        purity_ratio(particles, protein)  # type: ignore[arg-type]


@pytest.mark.parametrize("ratio", [0, -3, float("inf"), True])
def test_purity_band_refuses_impossible_ratios(ratio: float) -> None:
    with pytest.raises(AnswerFormatError):
        purity_band(ratio)


def test_a_band_citing_an_unvetted_source_is_refused(tmp_path) -> None:
    path = tmp_path / "bands.csv"
    path.write_text("band,lower_particles_per_ug,lower_inclusive,upper_particles_per_ug,upper_inclusive,"
                    "webber_wording,reference\nimpure,,,1.5e9,no,below,smith2099\n", encoding="utf-8")
    with pytest.raises(ContentError, match="bands.csv, line 2.*smith2099"):
        load_purity_bands.__wrapped__(path)
