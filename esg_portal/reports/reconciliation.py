"""The reconciliation report of one run as a landscape PDF, built from plain data.

``data`` for ``build_reconciliation_report``: plain values, every text already translated and
every figure already formatted for the reader (amounts are strings such as "1 234 567,89"):

- ``title``, ``subtitle``; ``facts`` and ``totals``: [[label, value], …] shown as key–value tables;
- ``chart`` (optional): {``title``, ``note``, ``bars``: [{``label``, ``value``, ``text``}]} — a
  horizontal bar per item; ``value`` (Decimal, int or numeric text) only sets the bar's length,
  the printed figure is ``text``;
- ``sections``: [{``title``, ``note`` (optional), ``header``, ``rows``, ``numeric`` (column
  indexes), ``weights`` (column shares, 0 = as narrow as its longest word), ``total`` (optional
  last row, drawn bold), ``empty`` (text when there are no rows), ``compact`` (optional: a smaller
  type for wide tables)}] — tables that split over pages with their header repeated. A cell is a
  string, or a list of strings shown one below the other;
- optional: ``generated_at`` (formatted), ``language`` (BCP 47 tag for the metadata, default "en").

``labels``: ``portal_name``, ``title`` (running header), ``generated_at``; missing ones fall back
to ``LABELS_EN``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Spacer

from esg_portal.reports.base import (
    ACCENT,
    MUTED,
    RULE,
    PageDecor,
    Styles,
    build_document,
    content_width,
    data_table,
    fit_column_widths,
    key_value_table,
    make_styles,
    para,
    section,
    wrap_text,
)

PAGE = landscape(A4)
WIDTH = content_width(PAGE)
#: bars for a negative difference (the company reported more than the government received)
NEGATIVE = colors.HexColor("#b45309")

LABELS_EN: dict[str, str] = {
    "portal_name": "ESG/EITI disclosure portal · Mining sector of the Kyrgyz Republic",
    "title": "Reconciliation report",
    "generated_at": "Generated",
}


def compact_styles(st: Styles, size: float = 6.6) -> Styles:
    """The same styles with smaller table cells, for a table of many columns on one page width."""
    leading = size * 1.25
    cells = {name: ParagraphStyle(f"{name}_compact", parent=getattr(st, name), fontSize=size, leading=leading)
             for name in ("cell", "cell_num", "cell_head", "cell_head_num")}
    return replace(st, **cells)


def _table_section(spec: Mapping, st: Styles) -> list[Flowable]:
    """One titled table (or its ``empty`` text), header repeated on every page it spans."""
    title = spec.get("title") or ""
    if spec.get("compact"):
        st = compact_styles(st)
    body: list[Flowable] = []
    if spec.get("note"):
        body += [para(spec["note"], st.small), Spacer(0, 1.5 * mm)]
    rows = list(spec.get("rows") or [])
    if not rows:
        return section(title, body + [para(spec.get("empty") or "", st.body)], st, keep_together=True)
    numeric = set(spec.get("numeric") or ())
    header = list(spec.get("header") or [])
    total = spec.get("total")
    all_rows = rows + ([total] if total else [])
    # plain text, its lines broken here: Paragraphs for thousands of cells would take minutes
    joined = [[_lines(value) for value in row] for row in all_rows]
    weights = spec.get("weights") or [1] * len(header)
    widths = fit_column_widths(header, joined, weights, st, total=WIDTH)
    cells = []
    for r, row in enumerate(joined):
        font = st.fonts.bold if total and r == len(joined) - 1 else st.fonts.regular
        wrapped = [value if i in numeric else wrap_text(value, widths[i], font, st.cell.fontSize)
                   for i, value in enumerate(row)]
        # a word wider than its column (only when even the narrowest columns overflow the page): a
        # Paragraph, which splits long words
        cells.append([para(row[i], st.cell) if value is None else value for i, value in enumerate(wrapped)])
    table = data_table(header, cells, widths, st, numeric=numeric, total_rows=1 if total else 0, plain_text=True)
    return section(title, body + [table], st, keep_together=len(all_rows) <= 14)


def _lines(value: object) -> str:
    """A cell as text: a list becomes one line per item (no empty line at the end, which would add height)."""
    if isinstance(value, (list, tuple)):
        return "\n".join(str(v or "") for v in value).rstrip("\n")
    return "" if value is None else str(value)


def _number(value: object) -> float:
    """A bar's length for drawing only: never printed (the printed figure is the bar's ``text``)."""
    try:
        return float(Decimal(str(value)))
    except ArithmeticError:
        return 0.0


def _fit(value: str, font: str, size: float, width: float) -> str:
    """Shorten a category name with an ellipsis so it fits beside its bar."""
    value = " ".join(str(value or "").split())
    if stringWidth(value, font, size) <= width:
        return value
    while value and stringWidth(value + "…", font, size) > width:
        value = value[:-1]
    return value.rstrip() + "…"


def bar_chart(bars: Sequence[Mapping], st: Styles, width: float = WIDTH) -> Drawing:
    """Horizontal bars, one per item, each labelled with its (already formatted) ``text``."""
    size = 7.5
    label_width = min(95 * mm, max(stringWidth(str(b.get("label") or ""), st.fonts.regular, size)
                                   for b in bars) + 4)
    text_width = max(stringWidth(str(b.get("text") or ""), st.fonts.regular, size) for b in bars) + 8
    step = 15
    height = step * len(bars) + 16
    drawing = Drawing(width, height)
    # the drawing's own default font is Helvetica, pulled into the PDF even when no text uses it
    drawing.initialFontName, drawing.initialFontSize = st.fonts.regular, size
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width + 4, 8
    chart.width, chart.height = width - label_width - 8, step * len(bars)
    values = [_number(b.get("value")) for b in bars]
    # top to bottom in the given order: the category axis runs upwards, so reverse it
    chart.data = [list(reversed(values))]
    chart.categoryAxis.categoryNames = [_fit(b.get("label"), st.fonts.regular, size, label_width)
                                        for b in reversed(bars)]
    chart.categoryAxis.labels.fontName = st.fonts.regular
    chart.categoryAxis.labels.fontSize = size
    chart.categoryAxis.labels.fillColor = colors.HexColor("#1f2933")
    chart.categoryAxis.strokeColor = RULE
    chart.categoryAxis.tickLeft = 0
    chart.categoryAxis.labels.dx = -4
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.joinAxisMode = "left"  # names at the left edge, not at the zero line
    # room beyond the bars' ends for the printed figures, on the side(s) where bars grow
    low, high = min(values + [0.0]), max(values + [0.0])
    left = text_width if low < 0 else 0.0
    right = text_width if high > 0 or low == high else 0.0
    room = max(chart.width - left - right, chart.width * 0.2)
    scale = room / ((high - low) or 1.0)
    chart.valueAxis.valueMin = low - left / scale
    chart.valueAxis.valueMax = (high if high > low else low + 1.0) + right / scale
    chart.valueAxis.visibleLabels = False  # axis figures would be floats: the bars carry exact ones
    chart.valueAxis.visibleTicks = False
    chart.valueAxis.visibleGrid = False
    chart.valueAxis.strokeColor = RULE
    chart.barWidth = step * 0.6
    chart.groupSpacing = step * 0.4
    chart.bars.strokeColor = None
    chart.bars[0].fillColor = ACCENT
    for i, value in enumerate(reversed(values)):
        if value < 0:
            chart.bars[(0, i)].fillColor = NEGATIVE
    drawing.add(chart)
    # each exact figure just beyond its bar's end, on whichever side the bar grows
    zero = chart.x - chart.valueAxis.valueMin * scale
    band = chart.height / len(bars)
    for i, (bar, value) in enumerate(zip(bars, values)):
        y = chart.y + chart.height - (i + 0.5) * band - size * 0.35
        end = zero + value * scale
        label = String(end + (-3 if value < 0 else 3), y, str(bar.get("text") or ""), fontName=st.fonts.regular,
                       fontSize=size, fillColor=MUTED, textAnchor="end" if value < 0 else "start")
        drawing.add(label)
    return drawing


def _chart(spec: Mapping | None, st: Styles) -> list[Flowable]:
    if not spec or not spec.get("bars"):
        return []
    body: list[Flowable] = []
    if spec.get("note"):
        body += [para(spec["note"], st.small), Spacer(0, 1.5 * mm)]
    body.append(bar_chart(spec["bars"], st))
    return section(spec.get("title") or "", body, st, keep_together=True)


def _pairs(pairs: Sequence[Sequence[object]] | None, st: Styles) -> list[tuple[str, object]]:
    return [(str(label), "" if value is None else str(value)) for label, value in pairs or []]


def build_reconciliation_report(data: Mapping, labels: Mapping[str, str]) -> bytes:
    """Render the reconciliation report (shape above) as landscape A4 PDF bytes."""
    lb = {**LABELS_EN, **{k: v for k, v in labels.items() if v is not None}}
    st = make_styles()
    title = data.get("title") or lb["title"]
    story: list[Flowable] = [para(title, st.title)]
    if data.get("subtitle"):
        story.append(para(data["subtitle"], st.subtitle))
    if data.get("facts"):
        story.append(key_value_table(_pairs(data["facts"], st), st, label_width=60 * mm))
    if data.get("totals"):
        story += section(data.get("totals_title") or "", [key_value_table(_pairs(data["totals"], st), st,
                                                                          label_width=60 * mm)],
                         st, keep_together=True)
    story += _chart(data.get("chart"), st)
    for spec in data.get("sections") or []:
        story += _table_section(spec, st)
    generated_at = data.get("generated_at") or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    decor = PageDecor(header_left=lb["portal_name"], header_right=str(data.get("subtitle") or lb["title"]),
                      footer_left=f"{lb['generated_at']}: {generated_at}")
    return build_document(story, title=str(title), subject=str(data.get("subtitle") or title), decor=decor,
                          lang=str(data.get("language") or "en"), keywords=["EITI", str(lb["title"])],
                          pagesize=PAGE)
