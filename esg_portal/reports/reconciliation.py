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

from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from esg_portal.reports import charts
from esg_portal.reports.base import (
    PageDecor,
    PlainTable,
    Styles,
    build_document,
    content_width,
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
NEGATIVE = charts.NEGATIVE

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
    # plain text, its lines broken here: Paragraphs (or a Table) for thousands of cells would take minutes
    joined = [[_lines(value) for value in row] for row in all_rows]
    weights = spec.get("weights") or [1] * len(header)
    widths = fit_column_widths(header, joined, weights, st, total=WIDTH)
    cells = []
    for r, row in enumerate(joined):
        font = st.fonts.bold if total and r == len(joined) - 1 else st.fonts.regular
        cells.append([value if i in numeric else wrap_text(value, widths[i], font, st.cell.fontSize)
                      for i, value in enumerate(row)])
    table = PlainTable(header, cells, widths, st, numeric=numeric, total_rows=1 if total else 0)
    return section(title, body + [table], st, keep_together=len(all_rows) <= 14)


def _lines(value: object) -> str:
    """A cell as text: a list becomes one line per item (no empty line at the end, which would add height)."""
    if isinstance(value, (list, tuple)):
        return "\n".join(str(v or "") for v in value).rstrip("\n")
    return "" if value is None else str(value)


def bar_chart(bars: Sequence[Mapping], st: Styles, width: float = WIDTH) -> Drawing:
    """Horizontal bars, one per item, each labelled with its (already formatted) ``text``.

    Drawn by ``esg_portal.reports.charts.bar_chart``, the same code as the public pages' SVG charts:
    names of at most 95 mm, wrapped to two lines, negative differences to the left of the zero line.
    """
    return charts.bar_chart(bars, width=width, font_size=7.5, fonts=st.fonts, max_label_width=95 * mm)


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
