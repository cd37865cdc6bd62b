"""Small bar charts drawn on the server as inline SVG: hits by year and by district."""

from __future__ import annotations

from markupsafe import Markup, escape

BAR_HEIGHT = 18
GAP = 6
LABEL_WIDTH = 64
WIDTH = 220  # about the sidebar's width, so labels are drawn near their own size, not scaled down


def bar_chart(title: str, counts: dict[str, int], limit: int = 12) -> Markup:
    """A horizontal bar chart of ``counts`` (largest first is the caller's order), or nothing."""
    items = [(k, v) for k, v in counts.items() if v > 0][:limit]
    if not items:
        return Markup("")
    top = max(v for _, v in items)
    height = len(items) * (BAR_HEIGHT + GAP) + 24
    rows = []
    for i, (label, value) in enumerate(items):
        y = 24 + i * (BAR_HEIGHT + GAP)
        width = max(2, round((WIDTH - LABEL_WIDTH - 40) * value / top))
        rows.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 13}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{BAR_HEIGHT}" rx="2">'
            f"<title>{escape(label)}：{value} 篇</title></rect>"
            f'<text x="{LABEL_WIDTH + width + 4}" y="{y + 13}" class="n">{value}</text>'
        )
    return Markup(
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        f'<text x="0" y="14" class="t">{escape(title)}</text>{"".join(rows)}</svg>'
    )
