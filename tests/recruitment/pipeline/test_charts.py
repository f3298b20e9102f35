"""Server-drawn SVG charts: well-formed, escaped, accessible, and calm about zeros."""

import xml.etree.ElementTree as ET

from recruitment.pipeline.views.charts import BAR, Bar, chart_summary, horizontal_bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 (our own output, not untrusted input)


def bar_widths(root: ET.Element) -> list[float]:
    return [float(rect.attrib["width"]) for rect in root.iter(f"{SVG}rect")]


def texts(root: ET.Element) -> list[str]:
    return [text.text or "" for text in root.iter(f"{SVG}text")]


def test_a_chart_is_well_formed_svg_with_a_label_and_a_value_per_bar() -> None:
    bars = [Bar("Applied", 10), Bar("Screening", 5, display="5 (50%)")]

    root = parse(horizontal_bar_chart(bars, title="Funnel"))

    assert root.tag == f"{SVG}svg"
    assert texts(root) == ["Applied", "10", "Screening", "5 (50%)"]
    assert [rect.attrib["fill"] for rect in root.iter(f"{SVG}rect")] == [BAR, BAR]


def test_bars_are_proportional_to_their_values() -> None:
    root = parse(horizontal_bar_chart([Bar("a", 8), Bar("b", 2), Bar("c", 0)], title="t"))

    longest, shorter, empty = bar_widths(root)
    assert longest > 0
    assert shorter == longest / 4
    assert empty == 0


def test_the_chart_is_an_image_summarised_for_screen_readers() -> None:
    bars = [Bar("Applied", 3), Bar("Hired", 1)]

    root = parse(horizontal_bar_chart(bars, title="Funnel"))

    assert root.attrib["role"] == "img"
    assert root.attrib["aria-label"] == "Funnel: Applied: 3; Hired: 1"
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == "Funnel: Applied: 3; Hired: 1"


def test_labels_and_titles_are_escaped() -> None:
    hostile = '<script>alert("x")</script>'

    markup = horizontal_bar_chart([Bar(hostile, 1, display="&1")], title=hostile)

    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup
    root = parse(markup)
    assert root.find(f".//{SVG}script") is None
    assert hostile in texts(root)
    assert "&1" in texts(root)
    assert root.attrib["aria-label"].startswith(hostile)


def test_zero_data_draws_without_dividing_by_zero() -> None:
    all_zero = parse(horizontal_bar_chart([Bar("a", 0), Bar("b", 0)], title="t"))
    nothing = parse(horizontal_bar_chart([], title="Empty"))

    assert bar_widths(all_zero) == [0.0, 0.0]
    assert texts(all_zero) == ["a", "0", "b", "0"]
    assert list(nothing.iter(f"{SVG}rect")) == []
    assert nothing.attrib["aria-label"] == "Empty"


def test_the_markup_needs_no_script_or_style_attribute() -> None:
    markup = horizontal_bar_chart([Bar("a", 1)], title="t")

    assert "style=" not in markup
    assert "<script" not in markup
    assert "href" not in markup


def test_the_summary_lists_every_bar_in_order() -> None:
    assert chart_summary("T", [Bar("x", 1.5), Bar("y", 2, display="2 (40%)")]) == (
        "T: x: 1.5; y: 2 (40%)"
    )
