"""Charts drawn once with reportlab's graphics, for the PDF reports and, as inline SVG, for the public pages.

Pure: plain data in, a reportlab ``Drawing`` (or SVG text) out; every label and figure arrives already
translated and formatted for the reader, ``value`` only sets a bar's length and is never printed.

- ``bar_chart(bars, width=…)``: horizontal bars, one per ``{"label", "value", "text"}``; negative values
  grow to the left of a zero line; labels (in a column on the left, or ``labels="above"`` each bar, the
  better choice on a phone) are wrapped to at most two lines, then shortened with "…"; the height grows
  with the number of bars.
- ``column_chart(columns, width=…)``: vertical columns, e.g. a trend over years, optionally split into
  up to three ``series`` (``"stacked"`` or ``"grouped"``) with a legend.
- ``svg(drawing, title=…, description=…, id=…)``: the drawing as an ``<svg>`` element to inline in HTML
  (``role="img"``, ``<title>``/``<desc>``, scales to its container, no external resource, presentation
  attributes only: the portal's CSP ``style-src 'self'`` would drop ``style="…"`` attributes).
- ``flowable(drawing)``: for a PDF story. A ``Drawing`` already is a platypus Flowable; the wrapper only
  shrinks a drawing wider than the frame.

Sizes are in points in the PDF and in CSS pixels of the viewBox in SVG (the SVG then scales to 100 % of
its container). For phones draw at ``SCREEN_WIDTH`` with ``SCREEN_FONT_SIZE``: at a 360 px screen the
text is then shown at about its own size; for a PDF page draw at the frame width (``base.content_width``)
with the report's small type (the default 7.5 pt).

Colours survive greyscale: the series fills differ in luminance by at least a quarter of the range, and
the second series is also outlined and hatched; a negative bar differs by its side of the zero line and
its printed sign, not only by colour.
"""
from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from reportlab.graphics import renderPDF, renderSVG
from reportlab.graphics.shapes import Drawing, Group, Line, Path, Rect, Shape, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from esg_portal.reports import fonts as _fonts
from esg_portal.reports.base import ACCENT, INK, MUTED
from esg_portal.reports.fonts import FontNames, register_fonts

#: Width (viewBox units = CSS px) and type size for a chart shown on a 360 px wide phone screen.
SCREEN_WIDTH = 360
SCREEN_FONT_SIZE = 12
#: The reports' chart type size (points).
PDF_FONT_SIZE = 7.5

#: Bars for a negative value (e.g. the company reported more than the government received).
NEGATIVE = colors.HexColor("#b45309")
#: The zero line and the columns' base line: dark enough to stay visible in greyscale.
ZERO_LINE = colors.HexColor("#5f6b7a")
ELLIPSIS = "…"


@dataclass(frozen=True)
class SeriesStyle:
    """How one series is painted: the fill, an optional outline and optional diagonal hatching."""

    fill: colors.Color
    stroke: colors.Color | None = None
    hatch: bool = False


#: Series styles in order. Luminances (Rec. 601) ≈ 28 %, 55 % and 81 %: distinguishable in greyscale,
#: and the light ones are outlined (and the second hatched) so they never vanish on white paper.
SERIES_STYLES: tuple[SeriesStyle, ...] = (
    SeriesStyle(fill=ACCENT),
    SeriesStyle(fill=colors.HexColor("#b9d3ec"), stroke=colors.HexColor("#16375f"), hatch=True),
    SeriesStyle(fill=colors.HexColor("#cf7a30"), stroke=colors.HexColor("#5a3206")),
)


def luminance(color: colors.Color) -> float:
    """Greyscale value 0..1 of a colour (Rec. 601 weights, as greyscale printing and pdftoppm -gray use)."""
    return 0.299 * color.red + 0.587 * color.green + 0.114 * color.blue


# --------------------------------------------------------------------------- text fitting

def number(value: object) -> float:
    """A bar's length for drawing only: never printed (the printed figure is the item's ``text``)."""
    if isinstance(value, float):
        result = value
    else:
        try:
            result = float(Decimal(str(value)))
        except ArithmeticError:
            return 0.0
    return result if math.isfinite(result) else 0.0


def fit_text(value: object, font: str, size: float, width: float) -> str:
    """One line of text, shortened with an ellipsis so it is no wider than ``width``."""
    value = " ".join(str(value or "").split())
    if stringWidth(value, font, size) <= width:
        return value
    return _with_ellipsis(value, font, size, width)


def _with_ellipsis(value: str, font: str, size: float, width: float) -> str:
    value = value.rstrip()
    while value and stringWidth(value + ELLIPSIS, font, size) > width:
        value = value[:-1].rstrip()
    return value + ELLIPSIS


def wrap_label(value: object, font: str, size: float, width: float, max_lines: int = 2) -> list[str]:
    """Break a label at spaces into at most ``max_lines`` lines no wider than ``width``; a word wider
    than the width is cut, and whatever does not fit ends the last line with an ellipsis."""
    words = str(value or "").split()
    lines: list[str] = []
    while words and len(lines) < max_lines:
        line = words.pop(0)
        if stringWidth(line, font, size) > width:  # one over-long word: break it where the width ends
            cut = len(line)
            while cut > 1 and stringWidth(line[:cut], font, size) > width:
                cut -= 1
            words.insert(0, line[cut:])
            line = line[:cut]
        while words and stringWidth(f"{line} {words[0]}", font, size) <= width:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words:  # text left over: the last line shows as much of it as fits, then "…"
        lines[-1] = _with_ellipsis(f"{lines[-1]} {' '.join(words)}", font, size, width)
    return lines or [""]


def _string(x: float, y: float, value: str, font: str, size: float, color: colors.Color,
            anchor: str = "start") -> String:
    """A String; for SVG it remembers its anchor, so browsers align it even with a fallback font."""
    shape = String(x, y, value, fontName=font, fontSize=size, fillColor=color, textAnchor=anchor)
    if anchor != "start":
        # renderSVG bakes the anchor into x using DejaVu's metrics; svg() restores x and text-anchor
        shape._svgAttrs = {"data-rl-x": _num(x), "data-rl-anchor": anchor}
    return shape


def _lines_block(lines: Sequence[str], x: float, center: float, font: str, size: float, leading: float,
                 color: colors.Color, anchor: str = "start") -> list[String]:
    """Lines of text whose block is vertically centred on ``center``."""
    top = center + (len(lines) - 1) * leading / 2
    return [_string(x, top - i * leading - 0.35 * size, line, font, size, color, anchor)
            for i, line in enumerate(lines)]


def _hatch(x: float, y: float, w: float, h: float, stroke: colors.Color, gap: float) -> Path | None:
    """Diagonal lines (45°) inside a rectangle, as one path: a pattern that PDF and SVG both draw."""
    if w < 2 or h < 2:
        return None
    path = Path(strokeColor=stroke, strokeWidth=0.6, fillColor=None, strokeLineCap=0)
    t = -h + gap / 2
    while t < w:
        x0, y0, x1, y1 = x + t, y, x + t + h, y + h
        if x0 < x:
            x0, y0 = x, y + (x - x0)
        if x1 > x + w:
            x1, y1 = x + w, y1 - (x1 - x - w)
        if x1 - x0 > 0.5:
            path.moveTo(x0, y0)
            path.lineTo(x1, y1)
        t += gap
    return path if path.points else None


def _painted(x: float, y: float, w: float, h: float, style: SeriesStyle, size: float) -> list[Shape]:
    """A bar, column segment or legend swatch painted in a series style (fill, outline, hatch)."""
    shapes: list[Shape] = [Rect(x, y, w, h, fillColor=style.fill, strokeColor=None)]
    if style.hatch:
        hatch = _hatch(x, y, w, h, style.stroke or INK, gap=max(size * 0.5, 3))
        if hatch is not None:
            shapes.append(hatch)
    if style.stroke is not None:
        shapes.append(Rect(x, y, w, h, fillColor=None, strokeColor=style.stroke, strokeWidth=0.7))
    return shapes


def _drawing(width: float, height: float, fonts: FontNames, size: float) -> Drawing:
    drawing = Drawing(width, height)
    # the drawing's own default font is Helvetica, pulled into the PDF even when no text uses it
    drawing.initialFontName, drawing.initialFontSize = fonts.regular, size
    return drawing


# --------------------------------------------------------------------------- bar chart

def bar_chart(bars: Sequence[Mapping], *, width: float, font_size: float = PDF_FONT_SIZE,
              fonts: FontNames | None = None, labels: str = "left", max_label_width: float | None = None,
              max_lines: int = 2) -> Drawing:
    """Horizontal bars, top to bottom in the given order, each ``{"label", "value", "text"}``.

    ``labels="left"``: names in a column left of the bars (at most ``max_label_width``, default 40 % of the
    width); ``labels="above"``: each name over its bar, using the whole width (better on a phone). Names
    are wrapped to ``max_lines`` lines and shortened with "…"; the figures (``text``) are printed just
    beyond each bar's end, on the side it grows, and the bars are scaled as long as that allows (figures
    too wide for the bars to keep a fifth of the plot are set smaller, down to 80 %). The rows are of
    equal height, so the drawing grows with the number of bars.
    """
    if not bars:
        raise ValueError("bar_chart needs at least one bar")
    if labels not in ("left", "above"):
        raise ValueError(f"labels must be 'left' or 'above', not {labels!r}")
    f = fonts or register_fonts()
    size = float(font_size)
    font = f.regular
    leading = size * 1.2
    gap = size * 0.5
    bar_h = size * 1.2
    values = [number(b.get("value")) for b in bars]
    figures = [str(b.get("text") or "") for b in bars]

    def needs(fig_size: float) -> list[float]:  # each figure's width beyond its bar's end
        return [stringWidth(t, font, fig_size) + gap if t else 0.0 for t in figures]

    fig_size = size
    if labels == "left":
        cap = max_label_width if max_label_width is not None else width * 0.4
        # never so wide that the bars and their figures lose their room
        cap = max(min(cap, width - gap - _bar_room(values, needs(size), 0.0) - width * 0.25), width * 0.15)
        natural = max(stringWidth(" ".join(str(b.get("label") or "").split()), font, size) for b in bars)
        wrapped = [wrap_label(b.get("label"), font, size, min(cap, natural), max_lines) for b in bars]
        label_w = max(stringWidth(line, font, size) for lines in wrapped for line in lines)
        plot_x = label_w + gap if label_w else 0.0
        row_h = max(max(len(lines) for lines in wrapped) * leading, bar_h) + size * 0.8
    else:
        wrapped = [wrap_label(b.get("label"), font, size, width, max_lines) for b in bars]
        plot_x = 0.0
        row_h = max(len(lines) for lines in wrapped) * leading + bar_h + size * 0.9
    plot_w = max(width - plot_x, 1.0)
    # figures too wide for the bars to keep a fifth of the plot: a smaller type for them (down to 80 %)
    while fig_size > size * 0.8 and _bar_room(values, needs(fig_size), 0.0) > plot_w * 0.8:
        fig_size -= size * 0.05
    scale, left = _bar_scale(values, needs(fig_size), plot_w)
    zero = plot_x + left
    margin = size
    height = len(bars) * row_h + 2 * margin
    drawing = _drawing(width, height, f, size)
    top = height - margin
    if labels == "left":
        drawing.add(Line(zero, margin * 0.5, zero, height - margin * 0.5, strokeColor=ZERO_LINE, strokeWidth=0.6))
    for i, (lines, value, figure) in enumerate(zip(wrapped, values, figures)):
        row_top = top - i * row_h
        if labels == "left":
            center = row_top - row_h / 2
            for line in _lines_block(lines, 0, center, font, size, leading, INK):
                drawing.add(line)
        else:
            first = row_top - size * 0.3 - size * 0.8
            for k, line in enumerate(lines):
                drawing.add(_string(0, first - k * leading, line, font, size, INK))
            center = row_top - len(lines) * leading - size * 0.3 - bar_h / 2
        if labels == "above":  # the zero line only beside the bars, never through the names
            drawing.add(Line(zero, center - bar_h / 2 - gap * 0.4, zero, center + bar_h / 2 + gap * 0.4,
                             strokeColor=ZERO_LINE, strokeWidth=0.6))
        length = abs(value) * scale
        if length:
            x = zero - length if value < 0 else zero
            drawing.add(Rect(x, center - bar_h / 2, length, bar_h,
                             fillColor=NEGATIVE if value < 0 else ACCENT, strokeColor=None))
        if figure:
            end = zero + value * scale
            drawing.add(_string(end - gap * 0.6 if value < 0 else end + gap * 0.6, center - 0.35 * fig_size,
                                figure, font, fig_size, MUTED, "end" if value < 0 else "start"))
    return drawing


def _bar_room(values: Sequence[float], needs: Sequence[float], scale: float) -> float:
    """Width taken by the bars at ``scale`` plus the figures beyond their ends, on both sides of zero."""
    right = max((v * scale + n for v, n in zip(values, needs) if v >= 0), default=0.0)
    left = max((-v * scale + n for v, n in zip(values, needs) if v < 0), default=0.0)
    return left + right


def _bar_scale(values: Sequence[float], needs: Sequence[float], plot_w: float) -> tuple[float, float]:
    """The largest scale at which every bar and the figure beyond its end fit in ``plot_w``, and the
    zero line's offset; bars with short figures may so grow longer than those with long ones."""
    longest = max((abs(v) for v in values), default=0.0)
    if not longest:
        return 0.0, max((n for v, n in zip(values, needs) if v < 0), default=0.0)
    low, high = 0.0, plot_w / longest
    if _bar_room(values, needs, low) > plot_w * 0.8:  # even the type's smallest figures do not fit:
        low = high = plot_w * 0.2 / longest  # the bars keep a fifth of the plot, the figures what is left
    for _ in range(40):
        mid = (low + high) / 2
        low, high = (mid, high) if _bar_room(values, needs, mid) <= plot_w else (low, mid)
    left = max((-v * low + n for v, n in zip(values, needs) if v < 0), default=0.0)
    return low, left


# --------------------------------------------------------------------------- column chart

def column_chart(columns: Sequence[Mapping], *, width: float, plot_height: float | None = None,
                 series: Sequence[Mapping] | None = None, mode: str = "stacked",
                 font_size: float = PDF_FONT_SIZE, fonts: FontNames | None = None, max_lines: int = 2) -> Drawing:
    """Vertical columns left to right, each ``{"label", "value", "text"}`` (e.g. one per year).

    With ``series`` (at most ``len(SERIES_STYLES)``), each ``{"name", "values": [one per column],
    "texts": optional [one per column]}``, a column is split into its series: ``mode="stacked"`` (positive
    parts upwards, negative ones downwards from zero; the column's ``text`` is printed at the stack's end)
    or ``"grouped"`` (side by side; each part's ``texts`` entry, if given, is printed at its end, else the
    column's ``text`` over the group); with series the columns' own ``value`` is not used. A legend of the
    series names heads the chart. Figures wider than their column are turned upright (read bottom to
    top) instead of overlapping, and left out when the columns are narrower than a line of text (the
    table below the chart has them); column labels are wrapped to ``max_lines`` lines and shortened with
    "…". ``plot_height`` defaults to 45 % of the width (10 to 30 lines of text) and grows when the
    figures need it.
    """
    if not columns:
        raise ValueError("column_chart needs at least one column")
    if mode not in ("stacked", "grouped"):
        raise ValueError(f"mode must be 'stacked' or 'grouped', not {mode!r}")
    series = list(series or [])
    if len(series) > len(SERIES_STYLES):
        raise ValueError(f"at most {len(SERIES_STYLES)} series can be told apart, not {len(series)}")
    for s in series:
        if len(s.get("values") or []) != len(columns):
            raise ValueError(f"series {s.get('name')!r} needs one value per column")
    f = fonts or register_fonts()
    font, size = f.regular, float(font_size)
    leading, gap = size * 1.2, size * 0.5
    n = len(columns)
    parts = len(series) if series and mode == "grouped" else 1

    # parts[c] = [(series index or None, value, text shown at its end or "")]
    if series:
        table = [[(k, number(s["values"][c]), str((s.get("texts") or [""] * n)[c] or "") if mode == "grouped"
                   else "") for k, s in enumerate(series)] for c in range(n)]
    else:
        table = [[(None, number(col.get("value")), "")] for col in columns]
    column_texts = [str(col.get("text") or "") for col in columns]

    # vertical extent of every column (stacked: sum of positive parts up, of negative parts down)
    if mode == "stacked" or not series:
        ups = [sum(v for _k, v, _t in row if v > 0) for row in table]
        downs = [sum(v for _k, v, _t in row if v < 0) for row in table]
    else:
        ups = [max([v for _k, v, _t in row if v > 0] + [0.0]) for row in table]
        downs = [min([v for _k, v, _t in row if v < 0] + [0.0]) for row in table]
    high, low = max(ups + [0.0]), min(downs + [0.0])

    # legend rows (top), laid out in the width
    legend: list[list[tuple[int, str, float]]] = []
    swatch = size * 1.1
    if series:
        row: list[tuple[int, str, float]] = []
        used = 0.0
        for k, s in enumerate(series):
            name = fit_text(s.get("name"), font, size, width - swatch - gap)
            w = swatch + gap + stringWidth(name, font, size) + size * 1.5
            if row and used + w > width:
                legend.append(row)
                row, used = [], 0.0
            row.append((k, name, used))
            used += w
        legend.append(row)
    legend_h = len(legend) * leading * 1.25 + (gap if legend else 0)

    pitch = width / n
    col_w = pitch * 0.62
    part_w = col_w / parts
    # figures: (column, x centre, value end, text, slot width)
    figures: list[tuple[int, float, float, str, float]] = []
    for c in range(n):
        cx = (c + 0.5) * pitch
        if series and mode == "grouped" and any(t for _k, _v, t in table[c]):
            for p, (_k, v, t) in enumerate(table[c]):
                if t:
                    figures.append((c, cx - col_w / 2 + (p + 0.5) * part_w, v, t, part_w + (pitch - col_w) / parts))
        elif column_texts[c]:
            total = sum(v for _k, v, _t in table[c]) if (mode == "stacked" or not series) else 0.0
            end = (ups[c] if total >= 0 else downs[c]) if (mode == "stacked" or not series) else (
                ups[c] if ups[c] else downs[c])
            figures.append((c, cx, end, column_texts[c], pitch))
    if figures and min(slot for *_r, slot in figures) < size * 1.3:
        figures = []  # columns too narrow for even an upright line of text: the table beside has them
    # a figure wider than its column's slot is turned upright rather than overlap its neighbour
    upright = any(stringWidth(t, font, size) > slot - gap for _c, _x, _e, t, slot in figures)
    text_room = (max(stringWidth(t, font, size) for *_r, t, _s in figures) + gap if upright else leading) \
        if figures else 0.0
    room_top = text_room if any(e >= 0 for _c, _x, e, _t, _s in figures) else 0.0
    room_bottom = text_room if any(e < 0 for _c, _x, e, _t, _s in figures) else 0.0

    # every k-th column is named when the names' longest word is wider than a column (60 years: every 5th)
    every = 1
    longest_word = max((stringWidth(w, font, size) for col in columns for w in str(col.get("label") or "").split()),
                       default=0.0)
    while every < n and pitch * every - gap < min(longest_word, width * 0.3):
        every += 1
    label_lines = [wrap_label(col.get("label"), font, size, pitch * every - gap, max_lines) if c % every == 0
                   else [] for c, col in enumerate(columns)]
    labels_h = max(max(len(lines) for lines in label_lines), 1) * leading + gap
    plot_h = plot_height if plot_height is not None else min(max(width * 0.45, size * 10), size * 30)
    plot_h = max(plot_h, 2 * (room_top + room_bottom), size * 4)  # the columns keep half of it at least
    span = (high - low) or 1.0
    scale = (plot_h - room_top - room_bottom) / span
    margin = size * 0.5
    base_y = margin + labels_h  # plot bottom
    zero = base_y + room_bottom - low * scale
    height = base_y + plot_h + legend_h + margin
    drawing = _drawing(width, height, f, size)

    # legend
    y = height - margin - leading
    for row in legend:
        for k, name, x in row:
            drawing.add(Group(*_painted(x, y - size * 0.15, swatch, swatch * 0.8, SERIES_STYLES[k], size)))
            drawing.add(_string(x + swatch + gap, y, name, font, size, INK))
        y -= leading * 1.25

    label_end = -gap
    for c in range(n):
        cx = (c + 0.5) * pitch
        up, down = zero, zero
        for p, (k, v, _t) in enumerate(table[c]):
            if not v:
                continue
            h = abs(v) * scale
            if mode == "grouped" and series:
                x = cx - col_w / 2 + p * part_w
                y0 = zero if v > 0 else zero - h
            else:
                x = cx - col_w / 2
                if v > 0:
                    y0, up = up, up + h
                else:
                    down -= h
                    y0 = down
            style = SERIES_STYLES[k] if k is not None else SeriesStyle(fill=NEGATIVE if v < 0 else ACCENT)
            drawing.add(Group(*_painted(x, y0, part_w if series and mode == "grouped" else col_w, h, style, size)))
        # a name wider than its column stays inside the drawing; one that would touch the last is left out
        half = max((stringWidth(line, font, size) for line in label_lines[c]), default=0.0) / 2
        x = min(max(cx, half), width - half)
        if label_lines[c] and x - half >= label_end + gap * 0.5:
            label_end = x + half
            for k, line in enumerate(label_lines[c]):
                drawing.add(_string(x, base_y - gap - size * 0.8 - k * leading, line, font, size, INK, "middle"))
    drawing.add(Line(0, zero, width, zero, strokeColor=ZERO_LINE, strokeWidth=0.6))

    for _c, x, end, t, _slot in figures:
        y_end = zero + end * scale
        if not upright:
            y = y_end + gap * 0.6 if end >= 0 else y_end - gap * 0.6 - size * 0.8
            drawing.add(_string(x, y, t, font, size, MUTED, "middle"))
        else:  # turned a quarter left, starting just beyond the column's end
            text = _string(0, -0.35 * size, t, font, size, MUTED, "start" if end >= 0 else "end")
            group = Group(text)
            group.transform = (0, 1, -1, 0, x, y_end + (gap * 0.6 if end >= 0 else -gap * 0.6))
            drawing.add(group)
    return drawing


# --------------------------------------------------------------------------- PDF

class ScaledDrawing(Flowable):
    """A Drawing in a PDF story, shrunk (never enlarged) to the width the frame offers."""

    def __init__(self, drawing: Drawing):
        super().__init__()
        self.drawing = drawing
        self.hAlign = "LEFT"
        self._scale = 1.0

    def wrap(self, availWidth, availHeight):  # reportlab API names
        w, h = self.drawing.width, self.drawing.height
        self._scale = min(1.0, availWidth / w) if w else 1.0
        return w * self._scale, h * self._scale

    def draw(self):
        self.canv.saveState()
        self.canv.scale(self._scale, self._scale)
        renderPDF.draw(self.drawing, self.canv, 0, 0)
        self.canv.restoreState()


def flowable(drawing: Drawing) -> Flowable:
    """What a PDF builder puts in its story. A Drawing already is a Flowable and can go in as it is
    when drawn at the frame width; this wrapper also shrinks one drawn wider than the frame."""
    return ScaledDrawing(drawing)


# --------------------------------------------------------------------------- SVG

_SVG_NS = "http://www.w3.org/2000/svg"
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")
_NUMERIC_ATTRS = {"x", "y", "width", "height", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry",
                  "stroke-width", "font-size", "stroke-dashoffset"}
_DEFAULTS = {"fill-opacity": "1", "stroke-opacity": "1", "stroke-linecap": "butt", "fill-rule": "evenodd"}
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")
#: CSS font-family stacks for the registered names (Verdana has nearly DejaVu Sans's metrics).
SANS_STACK = "DejaVu Sans,Verdana,sans-serif"
MONO_STACK = "DejaVu Sans Mono,monospace"
_FAMILIES = {
    _fonts.SANS: (SANS_STACK, None, None),
    _fonts.SANS_BOLD: (SANS_STACK, "bold", None),
    _fonts.SANS_OBLIQUE: (SANS_STACK, None, "italic"),
    _fonts.SANS_BOLD_OBLIQUE: (SANS_STACK, "bold", "italic"),
    _fonts.MONO: (MONO_STACK, None, None),
    _fonts.MONO_BOLD: (MONO_STACK, "bold", None),
}


def _num(value: float | str) -> str:
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _round_numbers(value: str) -> str:
    return _NUMBER.sub(lambda m: _num(m.group()), value)


def _path_data(d: str) -> str:
    tokens = re.findall(r"[A-Za-z]|-?\d+(?:\.\d+)?(?:e-?\d+)?", d)
    out: list[str] = []
    for token in tokens:
        if token.isalpha():
            out.append(token)
        else:
            out.append((" " if out and not out[-1].isalpha() else "") + _num(token))
    return "".join(out)


def _walk(node: object) -> Iterator[object]:
    yield node
    if isinstance(node, Group):
        for child in node.getContents():
            yield from _walk(child)


def _pct(color: colors.Color) -> str:
    """A colour as renderSVG writes it (whole percentages, truncated)."""
    red, green, blue = (int(c * 100) for c in (color.red, color.green, color.blue))  # as its "%d"
    return f"rgb({red}%,{green}%,{blue}%)"


def _colour_map(drawing: Drawing) -> dict[str, str]:
    """renderSVG's lossy rgb(%) strings mapped back to the exact hex colours used in the drawing."""
    found: dict[str, str] = {}
    for node in _walk(drawing):
        for attr in ("fillColor", "strokeColor"):
            color = getattr(node, attr, None)
            if isinstance(color, colors.Color):
                found.setdefault(_pct(color), "#" + color.hexval()[2:].lower()[-6:])
    return found


_RGB_PCT = re.compile(r"rgb\((\d+(?:\.\d+)?)%,\s*(\d+(?:\.\d+)?)%,\s*(\d+(?:\.\d+)?)%\)")


def _colour(value: str, exact: Mapping[str, str]) -> str:
    value = value.strip()
    if value in exact:
        return exact[value]
    m = _RGB_PCT.fullmatch(value)
    if m:
        return "#" + "".join(f"{round(float(p) * 2.55):02x}" for p in m.groups())
    return value


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def svg(drawing: Drawing, *, title: str, description: str, id: str) -> str:
    """The drawing as an ``<svg>`` element for inlining in HTML.

    Rendered by reportlab's ``renderSVG.drawToString``, then: no XML declaration or DOCTYPE; ``role="img"``
    and ``aria-labelledby`` pointing at a first ``<title id="{id}-title">`` and ``<desc id="{id}-desc">``;
    ``width="100%"`` with the viewBox kept and no fixed height, so it scales to its container; styles turned
    into presentation attributes (a CSP without ``'unsafe-inline'`` styles ignores ``style=""``); text in
    a local font stack (DejaVu Sans, then Verdana, then sans-serif), nothing referenced outside the element,
    no ids but the two given (several charts on one page), numbers rounded to 0.01.
    """
    if not _ID.match(id or ""):
        raise ValueError(f"not a usable element id: {id!r}")
    raw = renderSVG.drawToString(drawing)
    root = ET.fromstring(raw.encode("utf-8"))  # the DOCTYPE's DTD is never fetched by expat
    exact = _colour_map(drawing)
    for elem in root.iter():
        elem.tag = _local(elem.tag)
        elem.tail = None
        if elem.tag not in ("text", "title", "desc") and elem.text is not None and not elem.text.strip():
            elem.text = None

    # the root: responsive, accessible, self-contained
    width, height = float(drawing.width), float(drawing.height)
    for attr in list(root.attrib):
        del root.attrib[attr]
    root.attrib.update({
        "xmlns": _SVG_NS,
        "viewBox": f"0 0 {_num(width)} {_num(height)}",
        "width": "100%",
        "preserveAspectRatio": "xMidYMin meet",
        "role": "img",
        "aria-labelledby": f"{id}-title {id}-desc",
        "fill-rule": "evenodd",
    })
    for child in list(root):
        if child.tag in ("title", "desc", "clipPath"):  # reportlab's placeholders and its page clip
            root.remove(child)
    title_el = ET.Element("title", {"id": f"{id}-title"})
    title_el.text = str(title or "")
    desc_el = ET.Element("desc", {"id": f"{id}-desc"})
    desc_el.text = str(description or "")
    root.insert(0, title_el)
    root.insert(1, desc_el)

    texts: list[ET.Element] = []
    for elem in root.iter():
        if elem in (root, title_el, desc_el):
            continue
        attrs = dict(elem.attrib)
        style = attrs.pop("style", "")
        attrs.pop("id", None)  # reportlab's "group"/"clip": would clash between charts on one page
        for item in style.split(";"):
            key, _, value = item.partition(":")
            key, value = key.strip(), value.strip()
            if not key or key == "clip-path":
                continue
            if key in ("fill", "stroke"):
                value = _colour(value, exact)
            elif key == "font-family":
                family, weight, slant = _FAMILIES.get(value, (f"{value},sans-serif", None, None))
                value = family
                if weight:
                    attrs["font-weight"] = weight
                if slant:
                    attrs["font-style"] = slant
            elif key == "font-size":
                value = value.removesuffix("px")
            elif key in ("fill-opacity", "stroke-opacity"):
                value = _num(value)
            attrs[key] = value
        for key, default in _DEFAULTS.items():
            if attrs.get(key) == default:
                del attrs[key]
        if attrs.get("stroke") == "none" or "stroke" not in attrs:
            for key in ("stroke", "stroke-width", "stroke-linecap", "stroke-opacity", "stroke-dasharray"):
                attrs.pop(key, None)
        # links would point outside the chart: keep only same-document and data: references
        for key in [k for k in attrs if _local(k) == "href"]:
            if not attrs[key].startswith(("#", "data:")):
                del attrs[key]
        if elem.tag == "text":
            if "data-rl-anchor" in attrs:
                attrs["x"] = attrs.pop("data-rl-x")
                attrs["text-anchor"] = attrs.pop("data-rl-anchor")
            # renderSVG flips each text back with translate(0, int(2y)): exact as y=-y under scale(1,-1)
            attrs["y"] = _num(-float(attrs.get("y", 0)))
            attrs["transform"] = "scale(1,-1)"
            texts.append(elem)
        for key in list(attrs):
            if key in _NUMERIC_ATTRS:
                attrs[key] = _num(attrs[key])
            elif key == "d":
                attrs[key] = _path_data(attrs[key])
            elif key in ("transform", "points"):
                attrs[key] = _round_numbers(attrs[key]).strip()
        if elem.tag == "g" and not attrs.get("transform"):
            attrs.pop("transform", None)
        elem.attrib.clear()
        elem.attrib.update(attrs)

    # the commonest font on the root; texts keep only what differs
    for key in ("font-family", "font-size"):
        counts: dict[str, int] = {}
        for t in texts:
            if key in t.attrib:
                counts[t.attrib[key]] = counts.get(t.attrib[key], 0) + 1
        if counts:
            common = max(counts, key=counts.get)
            root.set(key, common)
            for t in texts:
                if t.attrib.get(key) == common:
                    del t.attrib[key]
    _unwrap_groups(root)
    return ET.tostring(root, encoding="unicode", short_empty_elements=True)


def _unwrap_groups(parent: ET.Element) -> None:
    """Lift the children of attribute-less ``<g>`` elements into their parent (smaller, same picture)."""
    index = 0
    while index < len(parent):
        child = parent[index]
        _unwrap_groups(child)
        if child.tag == "g" and not child.attrib:
            parent.remove(child)
            for k, grandchild in enumerate(list(child)):
                parent.insert(index + k, grandchild)
            index += len(child)
        else:
            index += 1
