"""Charts drawn on the server as inline SVG: data in, safe markup out.

Pure functions, no I/O. The markup has no script, no `style` attribute and no external
resource, so it renders under the strict Content-Security-Policy; colours are SVG
presentation attributes. Every piece of text is escaped here, whatever its origin.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

INK = "#1d2430"
BAR = "#1f5fbf"
WIDTH = 720
FONT_SIZE = 14
# A rough average glyph width at FONT_SIZE, to leave room for labels and values.
CHAR_WIDTH = 8
BAR_HEIGHT = 24
BAR_GAP = 12
PADDING = 8
# Moves text down from a bar's centre line to its baseline (about a third of FONT_SIZE).
BASELINE_SHIFT = 5


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    # How the value reads next to the bar, e.g. "8 (80%)"; the plain number if empty.
    display: str = ""

    @property
    def text(self) -> str:
        return self.display or f"{self.value:g}"


def _text_width(texts: Sequence[str], *, least: int, most: int) -> int:
    longest = max((len(text) for text in texts), default=0)
    return max(least, min(most, longest * CHAR_WIDTH + 2 * PADDING))


def chart_summary(title: str, bars: Sequence[Bar]) -> str:
    """The chart in words, for screen readers: "Title: A: 10; B: 8"."""
    if not bars:
        return title
    return f"{title}: " + "; ".join(f"{bar.label}: {bar.text}" for bar in bars)


def horizontal_bar_chart(bars: Sequence[Bar], *, title: str) -> SafeString:
    """One labelled horizontal bar per item, its value printed at the bar's end.

    Bars are scaled to the largest value; with no bars, or only zeros, nothing is divided
    by zero and the chart shows its labels and zero values.
    """
    label_width = _text_width([bar.label for bar in bars], least=80, most=280)
    value_width = _text_width([bar.text for bar in bars], least=48, most=160)
    bar_area = WIDTH - label_width - value_width
    largest = max((bar.value for bar in bars), default=0)
    scale = bar_area / largest if largest > 0 else 0.0
    height = 2 * PADDING + max(len(bars) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP, 0)
    summary = escape(chart_summary(title, bars))

    rows = []
    for index, bar in enumerate(bars):
        top = PADDING + index * (BAR_HEIGHT + BAR_GAP)
        baseline = top + BAR_HEIGHT // 2 + BASELINE_SHIFT
        length = round(max(bar.value, 0) * scale, 1)
        rows.append(
            f'<g><text x="{label_width - PADDING}" y="{baseline}" text-anchor="end">'
            f"{escape(bar.label)}</text>"
            f'<rect x="{label_width}" y="{top}" width="{length}" height="{BAR_HEIGHT}"'
            f' fill="{BAR}"/>'
            f'<text x="{label_width + length + PADDING}" y="{baseline}" font-weight="bold">'
            f"{escape(bar.text)}</text></g>"
        )
    axis = (
        f'<line x1="{label_width}" y1="{PADDING // 2}" x2="{label_width}"'
        f' y2="{height - PADDING // 2}" stroke="{INK}" stroke-width="1"/>'
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"'
        f' aria-label="{summary}" width="100%" viewBox="0 0 {WIDTH} {height}"'
        f' preserveAspectRatio="xMinYMin meet" font-size="{FONT_SIZE}" fill="{INK}">'
        f"<title>{summary}</title>{''.join(rows)}{axis}</svg>"
    )
    # Safe: every text above went through escape(); the rest are numbers and constants.
    return mark_safe(svg)  # noqa: S308
