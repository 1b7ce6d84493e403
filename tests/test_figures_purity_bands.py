"""The purity-bands figure (course/figures/purity_bands.py): bands, gaps, product, text alternative."""
from __future__ import annotations

import pytest

from course._errors import AnswerFormatError
from course._figures import build, theme


def _traces(figure) -> dict[str, object]:
    return {trace.name: trace for trace in figure.figure.data}


def test_without_a_product_it_shows_the_three_bands_and_the_unclassified_gaps() -> None:
    built = build("purity_bands")
    traces = _traces(built)
    assert {"Impure", "Low purity", "High purity", "Not classified by the source"} <= set(traces)
    assert "Your product" not in traces
    assert "No product is plotted" in built.description
    assert built.cite == ["webber2013"]


def test_the_axis_is_logarithmic_titled_and_labelled() -> None:
    layout = build("purity_bands").figure.layout
    assert layout.xaxis.type == "log"
    assert "particles per µg" in layout.xaxis.title.text
    assert layout.title.text


def test_band_bars_sit_at_webbers_limits() -> None:
    traces = _traces(build("purity_bands"))
    assert list(traces["Low purity"].x) == [2e9, 2e10]
    assert traces["Impure"].x[1] == 1.5e9
    assert traces["High purity"].x[0] == 3e10


def test_colour_is_never_the_only_cue() -> None:
    traces = build("purity_bands").figure.data
    band_colours = [t.line.color for t in traces if t.name in ("Impure", "Low purity", "High purity")]
    assert band_colours == theme.PALETTE[:3]
    # each band has its own labelled row, and the gaps differ by dash as well as colour
    rows = {t.y[0] for t in traces}
    assert len(rows) == len({t.name for t in traces})
    assert {t.line.dash for t in traces if t.name == "Not classified by the source"} == {"dot"}


def test_a_product_is_plotted_with_its_ratio_and_band_in_the_description_and_table() -> None:
    built = build("purity_bands", ratio=6e9, label="Fictional product A")
    product = _traces(built)["Fictional product A"]
    assert list(product.x) == [6e9]
    assert product.marker.symbol == "star"
    assert "6.0×10⁹ particles per µg, inside the low purity band" in built.description
    assert built.rows[-1] == ["Fictional product A", "6.0×10⁹", "6.0×10⁹", "low purity",
                              "computed from the product's particle count and protein"]


def test_a_product_between_bands_is_described_honestly_not_given_an_invented_class() -> None:
    built = build("purity_bands", ratio=2.5e10, label="Supplier B")
    assert "between bands (low purity and high purity)" in built.description
    assert "does not classify" in built.description
    assert built.rows[-1][3] == "between bands (low purity and high purity)"


def test_the_axis_widens_to_show_a_product_outside_the_usual_range() -> None:
    low, high = build("purity_bands", ratio=1e5).figure.layout.xaxis.range
    assert low <= 5 - 0.5
    low, high = build("purity_bands", ratio=1e14).figure.layout.xaxis.range
    assert high >= 14.5


def test_the_data_table_lists_every_band_and_gap_with_its_source() -> None:
    built = build("purity_bands")
    assert built.columns[0] == "Row" and built.columns[-1] == "Source"
    names = [row[0] for row in built.rows]
    assert names == ["impure", "low purity", "high purity", "between impure and low purity",
                     "between low purity and high purity"]
    assert all(row[-1] == "webber2013" for row in built.rows)


@pytest.mark.parametrize("ratio", [0, -1e9])
def test_an_impossible_ratio_is_refused_with_a_plain_message(ratio: float) -> None:
    with pytest.raises(AnswerFormatError, match="positive number"):
        build("purity_bands", ratio=ratio)
