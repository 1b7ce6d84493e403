"""course/figures: the shared theme and the figure() dispatcher."""
import pytest

from course._errors import ContentError
from course._figures import Figure, build, theme


def test_palette_is_okabe_ito_and_every_series_also_differs_by_symbol_and_dash():
    assert theme.PALETTE[:3] == ["#0072B2", "#D55E00", "#009E73"]
    styles = [theme.style(i) for i in range(6)]
    assert len({s["symbol"] for s in styles}) == 6 and len({s["dash"] for s in styles}) == 6


def test_apply_gives_a_title_and_labelled_axes():
    import plotly.graph_objects as go

    fig = theme.apply(go.Figure(), title="T", x_title="X (nm)", y_title="Y")
    assert fig.layout.title.text == "T"
    assert fig.layout.xaxis.title.text == "X (nm)" and fig.layout.yaxis.title.text == "Y"


def test_a_figure_has_a_text_description_and_an_accessible_data_table():
    import plotly.graph_objects as go

    f = Figure(figure=theme.apply(go.Figure(), "Sizes", "x", "y"), description="Bars of size.",
               columns=["Thing", "Size (nm)"], rows=[["EV", 100.0]], cite=["misev2018"])
    assert "Figure description." in f.description_html() and "Théry et al., 2018" in f.description_html()
    table = f.table_html()
    assert '<th scope="col">Size (nm)</th>' in table and "<caption>Data for the figure: Sizes</caption>" in table


def test_an_unknown_figure_name_says_how_to_add_one():
    with pytest.raises(ContentError, match="not a figure the course has.*course/figures/no_such.py"):
        build("no_such")


def test_names_that_are_not_identifiers_are_refused():
    with pytest.raises(ContentError, match="not a figure name"):
        build("../etc")


def test_showing_a_figure_emits_plotlys_mime_bundle_without_importing_nbformat():
    import subprocess
    import sys

    code = ("import sys; from course._figures import build, mimebundle; "
            "b = mimebundle(build('size_ladder')); "
            "print('application/vnd.plotly.v1+json' in b, 'data' in b['application/vnd.plotly.v1+json'], "
            "'nbformat' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "True", "False"]


def test_figures_built_as_data_keep_the_theme_and_long_labels_in_view():
    """size_ladder and timeline are plain plotly JSON (no plotly import in the lesson's kernel)."""
    import sys

    for name in ("size_ladder", "timeline"):
        layout = build(name).figure.layout
        assert layout.font["family"] == theme.FONT["family"] and layout.plot_bgcolor == "white"
        assert layout.xaxis.automargin and layout.yaxis.automargin, "category labels must not be cut off"
        assert layout.xaxis.title.text and layout.yaxis.title.text
    import subprocess
    loaded = subprocess.run([sys.executable, "-c", "import sys, course._figures as f; f.build('size_ladder'); "
                             "f.mimebundle(f.build('timeline')); print(any(m.startswith('plotly') for m in sys.modules))"],
                            capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "False", "building the lesson figures imported plotly"
