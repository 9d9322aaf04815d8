"""Shared PDF scaffolding: A4 page template, DejaVu styles, tables and document metadata."""
from __future__ import annotations

import copy
import io
import re
from bisect import bisect_right
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from itertools import accumulate
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import BaseDocTemplate

from esg_portal.reports.fonts import FontNames, register_fonts

PAGE_SIZE = A4
MARGIN_LEFT = MARGIN_RIGHT = 18 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 20 * mm
#: Width available to flowables between the side margins.
CONTENT_WIDTH = PAGE_SIZE[0] - MARGIN_LEFT - MARGIN_RIGHT
AUTHOR = "esg_portal"

INK = colors.HexColor("#1f2933")
#: Muted grey, also usable as a <font color=...> value in Paragraph markup.
MUTED_HEX = "#5f6b7a"
MUTED = colors.HexColor(MUTED_HEX)
RULE = colors.HexColor("#c4ccd6")
ACCENT = colors.HexColor("#1d4e89")
HEADER_FILL = colors.HexColor("#e6edf5")
STRIPE_FILL = colors.HexColor("#f6f8fb")
TOTAL_FILL = colors.HexColor("#eef1f4")
NOTE_FILL = colors.HexColor("#f4f6f8")


@dataclass(frozen=True)
class Styles:
    """Paragraph styles for every report, all in DejaVu so Cyrillic renders."""

    fonts: FontNames
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    label: ParagraphStyle
    cell: ParagraphStyle
    cell_num: ParagraphStyle
    cell_head: ParagraphStyle
    cell_head_num: ParagraphStyle
    cell_mono: ParagraphStyle
    mono: ParagraphStyle


def make_styles(fonts: FontNames | None = None) -> Styles:
    """Build the shared paragraph styles, registering the fonts first if needed."""
    f = fonts or register_fonts()
    body = ParagraphStyle("body", fontName=f.regular, fontSize=9, leading=12, textColor=INK)
    cell = ParagraphStyle("cell", parent=body, fontSize=7.5, leading=9.2, splitLongWords=1)
    cell_head = ParagraphStyle("cell_head", parent=cell, fontName=f.bold, textColor=INK)
    return Styles(
        fonts=f,
        title=ParagraphStyle("title", parent=body, fontName=f.bold, fontSize=17, leading=21,
                             textColor=ACCENT, spaceAfter=2 * mm),
        subtitle=ParagraphStyle("subtitle", parent=body, fontSize=10.5, leading=14, textColor=INK,
                                spaceAfter=4 * mm),
        heading=ParagraphStyle("heading", parent=body, fontName=f.bold, fontSize=11, leading=14,
                               textColor=ACCENT, spaceBefore=5 * mm, spaceAfter=2 * mm),
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=7.5, leading=10, textColor=MUTED),
        label=ParagraphStyle("label", parent=body, fontName=f.bold, fontSize=8.5, leading=11.5, textColor=MUTED),
        cell=cell,
        cell_num=ParagraphStyle("cell_num", parent=cell, alignment=TA_RIGHT),
        cell_head=cell_head,
        cell_head_num=ParagraphStyle("cell_head_num", parent=cell_head, alignment=TA_RIGHT),
        cell_mono=ParagraphStyle("cell_mono", parent=cell, fontName=f.mono, fontSize=7, leading=8.8),
        mono=ParagraphStyle("mono", parent=body, fontName=f.mono, fontSize=9, leading=12, alignment=TA_LEFT),
    )


def text(value: object) -> str:
    """Turn a plain value into Paragraph markup: None becomes an empty string, markup characters are escaped."""
    if value is None:
        return ""
    return escape(str(value)).replace("\n", "<br/>")


def para(value: object, style: ParagraphStyle) -> Paragraph:
    """A Paragraph of escaped plain text (never markup from the caller)."""
    return Paragraph(text(value), style)


def hex_lines(digest: str, group: int = 8, per_line: int = 4) -> list[str]:
    """Split a hex digest into lines of space-separated groups, so 64 characters fit any column."""
    clean = "".join(str(digest or "").split())
    groups = [clean[i:i + group] for i in range(0, len(clean), group)]
    return [" ".join(groups[i:i + per_line]) for i in range(0, len(groups), per_line)] or [""]


def hex_paragraph(digest: str, style: ParagraphStyle, per_line: int = 4) -> Paragraph:
    """A monospaced Paragraph with the digest broken into fixed lines of 8-character groups."""
    return Paragraph("<br/>".join(text(line) for line in hex_lines(digest, per_line=per_line)), style)


def _font_commands(fonts: FontNames) -> list[tuple]:
    """Table cells default to Helvetica (pulled into the PDF even when unused); use DejaVu."""
    return [("FONTNAME", (0, 0), (-1, -1), fonts.regular), ("FONTSIZE", (0, 0), (-1, -1), 7.5)]


def section(heading: str, body: Sequence[Flowable], styles: Styles, *, keep_together: bool = False,
            min_space: float = 35 * mm) -> list[Flowable]:
    """A heading followed by its content, never stranded at the foot of a page."""
    # Small blocks are kept together; long ones (tables over many pages) start on a new
    # page only when less than min_space is left, and then split with repeated headers.
    # (keepWithNext would move a many-page table, and its heading, to a fresh page.)
    head = Paragraph(text(heading), styles.heading)
    if keep_together:
        return [KeepTogether([head, *body])]
    return [CondPageBreak(min_space), head, *body]


_BREAKS = re.compile(r"[ \t\r\n]+")  # where a Paragraph may wrap; U+00A0 in amounts never breaks
CELL_PADDING = 3


def _min_width(cell: object, font: str, size: float) -> float:
    """Width of the longest unbreakable run in a cell: a plain value or a flowable that knows its minWidth."""
    if isinstance(cell, Flowable):
        return float(cell.minWidth()) if hasattr(cell, "minWidth") else 0.0
    words = _BREAKS.split(str(cell if cell is not None else ""))
    return max((stringWidth(w, font, size) for w in words), default=0.0)


def fit_column_widths(header: Sequence[object], rows: Sequence[Sequence[object]], weights: Sequence[float],
                      styles: Styles, *, total: float = CONTENT_WIDTH) -> list[float]:
    """Share ``total`` between columns by weight, never narrower than a column's longest unbreakable word."""
    # So translated headers ("Валюта", "Currency") and amounts ("1 234 567,89" breaks only at
    # ordinary spaces) do not wrap mid-word, whatever the language and data. A column of
    # weight 0 gets exactly its minimum; if even the minimums do not fit, all shrink evenly.
    bold, size = styles.fonts.bold, styles.cell.fontSize  # bold: headers and total rows
    minimum = []
    for i in range(len(weights)):
        cells = [header[i] if i < len(header) else ""] + [row[i] for row in rows if i < len(row)]
        texts = {c for c in cells if isinstance(c, str)}  # names and codes repeat: each measured once
        others = [c for c in cells if not isinstance(c, str)]
        minimum.append(max(_min_width(c, bold, size) for c in [*texts, *others]) + 2 * CELL_PADDING + 1)
    if sum(minimum) >= total:
        return [m * total / sum(minimum) for m in minimum]
    widths = {i: minimum[i] for i, w in enumerate(weights) if w <= 0}
    while True:
        free = [i for i in range(len(weights)) if i not in widths]
        if not free:  # every column is at its minimum: share the slack evenly
            slack = (total - sum(widths.values())) / len(weights)
            return [widths[i] + slack for i in range(len(weights))]
        remaining = total - sum(widths.values())
        weight_sum = sum(weights[i] for i in free)
        share = {i: remaining * weights[i] / weight_sum for i in free}
        too_narrow = [i for i in free if share[i] < minimum[i]]
        if not too_narrow:
            widths.update(share)
            return [widths[i] for i in range(len(weights))]
        for i in too_narrow:
            widths[i] = minimum[i]


def data_table(header: Sequence[str], rows: Sequence[Sequence[object]], col_widths: Sequence[float],
               styles: Styles, *, numeric: Collection[int] = (), total_rows: int = 0) -> Table:
    """A striped table whose header repeats on every page; numeric columns are right-aligned.

    For tables of thousands of rows of plain text, ``PlainTable`` draws the same look in a fraction
    of the time.
    """
    # Cells (header included) may be strings, wrapped in escaped Paragraphs, or ready
    # flowables. The last total_rows rows are drawn bold on a shaded background.
    head = [h if isinstance(h, Flowable) else Paragraph(text(h), styles.cell_head_num if i in numeric
                                                         else styles.cell_head)
            for i, h in enumerate(header)]
    body: list[list[object]] = []
    for r, row in enumerate(rows):
        is_total = r >= len(rows) - total_rows
        cells = []
        for i, value in enumerate(row):
            if isinstance(value, Flowable):
                cells.append(value)
                continue
            style = styles.cell_num if i in numeric else styles.cell
            markup = text(value)
            cells.append(Paragraph(f"<b>{markup}</b>" if is_total else markup, style))
        body.append(cells)
    commands: list[tuple] = [
        *_font_commands(styles.fonts),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LINEABOVE", (0, 0), (-1, 0), 0.8, ACCENT),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
    ]
    if len(body) > total_rows:
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, len(body) - total_rows), [colors.white, STRIPE_FILL]))
    if total_rows:
        first = len(body) + 1 - total_rows
        commands += [("BACKGROUND", (0, first), (-1, -1), TOTAL_FILL),
                     ("LINEABOVE", (0, first), (-1, first), 0.8, ACCENT)]
    return Table([head] + body, colWidths=list(col_widths), repeatRows=1, splitByRow=1,
                 splitInRow=3 * styles.cell.leading, style=TableStyle(commands), hAlign="LEFT")


class PlainTable(Flowable):
    """A striped table of plain-text cells drawn straight on the canvas, its header on every page.

    It looks like ``data_table`` (header fill between accent rules, striped rows with a rule
    below each, numeric columns right-aligned, a bold shaded total) but costs time in
    proportion to its rows: reportlab's ``Table`` measures every remaining row again at each
    page break, so a 20,000-line reconciliation report took minutes. Cells are strings whose
    lines the caller broke ("\n"; ``wrap_text``); the parts a page break makes share the rows.
    """

    PAD_TOP = PAD_BOTTOM = 2.5

    def __init__(self, header: Sequence[str], rows: Sequence[Sequence[str]], col_widths: Sequence[float],
                 styles: Styles, *, numeric: Collection[int] = (), total_rows: int = 0):
        super().__init__()
        self.widths = [float(w) for w in col_widths]
        self.numeric = frozenset(numeric)
        self.font, self.bold = styles.fonts.regular, styles.fonts.bold
        self.size, self.leading = styles.cell.fontSize, styles.cell.leading
        head = styles.cell_head
        self.head_font, self.head_size, self.head_leading = head.fontName, head.fontSize, head.leading
        self.header = [simpleSplit(text_value, self.head_font, self.head_size, w - 2 * CELL_PADDING) or [""]
                       for text_value, w in zip((str(h) for h in header), self.widths)]
        self.rows = [[str(cell).split("\n") for cell in row] for row in rows]
        self.first_total = len(self.rows) - total_rows
        pad = self.PAD_TOP + self.PAD_BOTTOM
        self.header_height = max(len(lines) for lines in self.header) * self.head_leading + pad
        # offsets[i]: the height of rows before row i, so any run of rows is measured in constant time
        heights = [max((len(lines) for lines in row), default=1) * self.leading + pad for row in self.rows]
        self.offsets = [0.0, *accumulate(heights)]
        self.start, self.stop = 0, len(self.rows)
        self.hAlign = "LEFT"

    def _part(self, start: int, stop: int) -> PlainTable:
        part = copy.copy(self)
        for state in ("_postponed", "_frame", "canv"):  # the layout's marks on this part, not on the new ones
            part.__dict__.pop(state, None)
        part.start, part.stop = start, stop
        return part

    def _body_height(self, start: int, stop: int) -> float:
        return self.offsets[stop] - self.offsets[start]

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = sum(self.widths)
        self.height = self.header_height + self._body_height(self.start, self.stop)
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        room = available_height - self.header_height
        # the last row that ends within the room
        stop = bisect_right(self.offsets, self.offsets[self.start] + room) - 1
        stop = min(stop, self.stop)
        if stop <= self.start:
            return []  # not even one row fits: the whole table moves to the next frame
        if stop >= self.stop:
            return [self]
        return [self._part(self.start, stop), self._part(stop, self.stop)]

    def draw(self) -> None:
        canvas = self.canv
        width = sum(self.widths)
        lefts = [0.0, *accumulate(self.widths)][:-1]
        top = self.header_height + self._body_height(self.start, self.stop)
        canvas.saveState()
        # the header: fill, rules above and below
        canvas.setFillColor(HEADER_FILL)
        canvas.rect(0, top - self.header_height, width, self.header_height, stroke=0, fill=1)
        y = top - self.header_height
        for r in range(self.start, self.stop):
            height = self.offsets[r + 1] - self.offsets[r]
            if r >= self.first_total:
                canvas.setFillColor(TOTAL_FILL)
                canvas.rect(0, y - height, width, height, stroke=0, fill=1)
            elif r % 2:
                canvas.setFillColor(STRIPE_FILL)
                canvas.rect(0, y - height, width, height, stroke=0, fill=1)
            y -= height
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.25)
        y = top - self.header_height
        for r in range(self.start, self.stop):
            y -= self.offsets[r + 1] - self.offsets[r]
            canvas.line(0, y, width, y)
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(0.8)
        canvas.line(0, top, width, top)
        canvas.line(0, top - self.header_height, width, top - self.header_height)
        if self.first_total < self.stop:
            y = top - self.header_height - self._body_height(self.start, max(self.first_total, self.start))
            canvas.line(0, y, width, y)
        text = canvas.beginText()
        text.setFillColor(INK)
        self._cells(text, self.header, lefts, top, self.head_font, self.head_size, self.head_leading)
        y = top - self.header_height
        for r in range(self.start, self.stop):
            font = self.bold if r >= self.first_total else self.font
            self._cells(text, self.rows[r], lefts, y, font, self.size, self.leading)
            y -= self.offsets[r + 1] - self.offsets[r]
        canvas.drawText(text)
        canvas.restoreState()

    def _cells(self, text, cells: Sequence[Sequence[str]], lefts: Sequence[float], top: float, font: str,
               size: float, leading: float) -> None:
        """One row's cells into the text object, each line at its place (right-aligned in numeric columns)."""
        text.setFont(font, size, leading)
        baseline = top - self.PAD_TOP - size
        for i, lines in enumerate(cells):
            if i in self.numeric:
                right = lefts[i] + self.widths[i] - CELL_PADDING
                for n, line in enumerate(lines):
                    if line:
                        text.setTextOrigin(right - stringWidth(line, font, size), baseline - n * leading)
                        text.textLine(line)
            elif any(lines):
                # left-aligned lines one below the other: one origin, then T* (textLine) moves down by the leading
                text.setTextOrigin(lefts[i] + CELL_PADDING, baseline)
                for line in lines:
                    text.textLine(line)


def wrap_text(value: object, width: float, font: str, size: float) -> str:
    """Plain text broken into lines ("\n") that fit ``width`` less the cell padding; a word wider than
    that (a long INN-like code in a narrow column) is broken between its characters."""
    room = width - 2 * CELL_PADDING
    lines: list[str] = []
    for part in str("" if value is None else value).split("\n"):
        if stringWidth(part, font, size) <= room:  # most cells: one line, measured once
            lines.append(part)
            continue
        words = []
        for word in part.split():
            while stringWidth(word, font, size) > room and len(word) > 1:
                cut = max(1, next((n for n in range(len(word), 0, -1)
                                   if stringWidth(word[:n], font, size) <= room), 1))
                words.append(word[:cut])
                word = word[cut:]
            words.append(word)
        lines += simpleSplit(" ".join(words), font, size, room) or [""]
    return "\n".join(lines)


def key_value_table(pairs: Sequence[tuple[str, object]], styles: Styles, label_width: float = 45 * mm) -> Table:
    """A borderless two-column table of label → value; values may be strings or flowables.

    The label column widens (up to 80 mm) so that no word of a label is broken, e.g.
    "Организационно-правовая" in Russian.
    """
    longest_word = max((stringWidth(word, styles.label.fontName, styles.label.fontSize)
                        for label, _value in pairs for word in str(label).split()), default=0)
    label_width = min(max(label_width, longest_word + 8), 80 * mm)
    rows = [[Paragraph(text(label), styles.label), value if isinstance(value, Flowable) else para(value, styles.body)]
            for label, value in pairs]
    return Table(rows, colWidths=[label_width, CONTENT_WIDTH - label_width], hAlign="LEFT", style=TableStyle([
        *_font_commands(styles.fonts),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
    ]))


def boxed(flowables: Sequence[Flowable], *, fill=NOTE_FILL, border=RULE, width: float = CONTENT_WIDTH) -> Table:
    """Wrap flowables in a single shaded, bordered cell (attestation, verification note)."""
    return Table([[list(flowables)]], colWidths=[width], hAlign="LEFT", style=TableStyle([
        *_font_commands(register_fonts()),
        ("BACKGROUND", (0, 0), (-1, -1), fill),
        ("BOX", (0, 0), (-1, -1), 0.5, border),
        ("LEFTPADDING", (0, 0), (-1, -1), 8),
        ("RIGHTPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]))


@dataclass(frozen=True)
class PageDecor:
    """The running texts drawn on every page: header left/right and the generated-at footer."""

    header_left: str
    header_right: str
    footer_left: str


def _canvasmaker(decor: PageDecor, fonts: FontNames) -> type[Canvas]:
    """A two-pass canvas: pages are buffered so the footer can show "N / M" with the final total."""

    class _NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._page_states: list[dict] = []

        def showPage(self):  # noqa: N802 (reportlab API)
            self._page_states.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._page_states)
            for state in self._page_states:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            width, height = self._pagesize
            left, right = MARGIN_LEFT, width - MARGIN_RIGHT
            self.saveState()
            self.setFillColor(MUTED)
            self.setFont(fonts.regular, 7.5)
            top = height - 12 * mm
            head_right = _fit(decor.header_right, fonts.bold, 7.5, (right - left) * 0.5)
            room = right - left - stringWidth(head_right, fonts.bold, 7.5) - 8 * mm
            self.drawString(left, top, _fit(decor.header_left, fonts.regular, 7.5, room))
            self.setFont(fonts.bold, 7.5)
            self.drawRightString(right, top, head_right)
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(left, top - 2.2 * mm, right, top - 2.2 * mm)
            bottom = 11 * mm
            self.line(left, bottom + 3.6 * mm, right, bottom + 3.6 * mm)
            self.setFont(fonts.regular, 7.5)
            self.drawString(left, bottom, _fit(decor.footer_left, fonts.regular, 7.5, (right - left) * 0.8))
            self.drawRightString(right, bottom, f"{self._pageNumber} / {total}")
            self.restoreState()

    return _NumberedCanvas


def _fit(value: str, font: str, size: float, width: float) -> str:
    """Shorten a running header/footer text with an ellipsis so it never overruns its slot."""
    value = " ".join(str(value or "").split())
    if stringWidth(value, font, size) <= width:
        return value
    while value and stringWidth(value + "…", font, size) > width:
        value = value[:-1]
    return value.rstrip() + "…"


def content_width(pagesize: tuple[float, float] = PAGE_SIZE) -> float:
    """Width available to flowables between the side margins of a page of ``pagesize``."""
    return pagesize[0] - MARGIN_LEFT - MARGIN_RIGHT


def build_document(story: Sequence[Flowable], *, title: str, subject: str, decor: PageDecor,
                   lang: str = "en", fonts: FontNames | None = None, keywords: Sequence[str] = (),
                   pagesize: tuple[float, float] = PAGE_SIZE) -> bytes:
    """Lay out ``story`` on pages of ``pagesize`` (A4 portrait unless given, e.g. ``landscape(A4)``) with the
    portal header and "N / M" footer; return the PDF bytes."""
    fonts = fonts or register_fonts()
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer, pagesize=pagesize,
        leftMargin=MARGIN_LEFT, rightMargin=MARGIN_RIGHT, topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM,
        title=title, author=AUTHOR, subject=subject, creator=AUTHOR, keywords=list(keywords),
        lang=lang, displayDocTitle=True, initialFontName=fonts.regular,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(list(story), canvasmaker=_canvasmaker(decor, fonts))
    return buffer.getvalue()
