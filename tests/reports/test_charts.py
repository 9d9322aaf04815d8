"""Charts for PDF and public pages: one reportlab drawing, rendered as inline accessible SVG and as PDF;
Kyrgyz/Russian labels wrapped without overlapping, negative bars left of zero, greyscale-safe series."""
from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing, Group, Rect, String, mmult
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from esg_portal.reports import base, charts, reconciliation

NS = "{http://www.w3.org/2000/svg}"
KY_LONG = "Жергиликтүү маанидеги инфраструктураны өнүктүрүүгө жана күтүүгө чегерүүлөр"
RU_LONG = "Отчисления на развитие и содержание инфраструктуры местного значения"
KY_SHORT = "Пайдага салык (ңөү)"
RU_SHORT = "Роялти"
poppler = pytest.mark.skipif(not all(shutil.which(t) for t in ("pdftoppm", "pdftotext", "pdffonts")),
                             reason="poppler-utils is not installed")


def amount(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0") + ",00"


def ten_bars() -> list[dict]:
    labels = [KY_SHORT, RU_SHORT, KY_LONG, RU_LONG, "Бонустар", "НДС", "Жер казынасын пайдалануу", "Акциз",
              "Башка төлөмдөр", "Суу ресурстары"]
    values = [60_000, -50_000, 123_456, 7, 0, -1, 987_654, 42_000, -3_210, 15]
    return [{"label": label, "value": Decimal(v), "text": amount(v)} for label, v in zip(labels, values)]


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{NS}text")]


def boxes(drawing: Drawing) -> tuple[list[tuple[tuple[float, ...], str]], list[tuple[float, ...]]]:
    """Every text's and every filled rectangle's box in drawing coordinates (group transforms applied)."""
    found_texts, found_rects = [], []

    def box(matrix, x0, y0, x1, y1):
        points = [(matrix[0] * x + matrix[2] * y + matrix[4], matrix[1] * x + matrix[3] * y + matrix[5])
                  for x in (x0, x1) for y in (y0, y1)]
        return (min(p[0] for p in points), min(p[1] for p in points),
                max(p[0] for p in points), max(p[1] for p in points))

    def walk(node, matrix):
        if isinstance(node, Group):
            inner = mmult(matrix, node.transform)
            for child in node.getContents():
                walk(child, inner)
        elif isinstance(node, String):
            found_texts.append((box(matrix, *node.getBounds()), node.text))
        elif isinstance(node, Rect) and node.fillColor is not None and node.width and node.height:
            found_rects.append(box(matrix, node.x, node.y, node.x + node.width, node.y + node.height))

    walk(drawing, (1, 0, 0, 1, 0, 0))
    return found_texts, found_rects


def overlap(a, b, eps: float = 0.05) -> bool:
    return a[0] < b[2] - eps and b[0] < a[2] - eps and a[1] < b[3] - eps and b[1] < a[3] - eps


def assert_readable(drawing: Drawing) -> None:
    """No text overlaps another text or a bar, and everything lies inside the drawing."""
    found_texts, found_rects = boxes(drawing)
    assert found_texts
    for i, (a, text_a) in enumerate(found_texts):
        assert a[0] >= -0.05 and a[2] <= drawing.width + 0.05, text_a
        assert a[1] >= -0.05 and a[3] <= drawing.height + 0.05, text_a
        for b, text_b in found_texts[i + 1:]:
            assert not overlap(a, b), (text_a, text_b)
        for rect in found_rects:
            assert not overlap(a, rect), (text_a, rect)


def grey_pixels(pdf: Path, tmp_path: Path, dpi: int) -> tuple[int, int, bytes]:
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), str(pdf), str(tmp_path / "grey")], check=True)
    raw = next(tmp_path.glob("grey*.pgm")).read_bytes()
    magic, size, maxval, pixels = raw.split(b"\n", 3)
    assert magic == b"P5" and maxval == b"255"
    width, height = map(int, size.split())
    return width, height, pixels[:width * height]


# --------------------------------------------------------------------------- SVG


def test_bar_chart_svg_is_inline_accessible_and_self_contained() -> None:
    bars = ten_bars()
    drawing = charts.bar_chart(bars, width=charts.SCREEN_WIDTH, font_size=charts.SCREEN_FONT_SIZE)
    svg = charts.svg(drawing, title="Төлөмдөр & түшүүлөр <2024>", description="Ар бир агым: ң, ө, ү",
                     id="gaps-2024")
    assert len(svg.encode("utf-8")) < 15_000
    assert not svg.startswith("<?xml") and "<!DOCTYPE" not in svg and svg.startswith("<svg")
    assert "&lt;2024&gt;" in svg and "&amp;" in svg  # XML-escaped, not markup
    root = parse(svg)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "gaps-2024-title gaps-2024-desc"
    title, desc = list(root)[:2]
    assert (title.tag, title.get("id"), title.text) == (f"{NS}title", "gaps-2024-title", "Төлөмдөр & түшүүлөр <2024>")
    assert (desc.tag, desc.get("id"), desc.text) == (f"{NS}desc", "gaps-2024-desc", "Ар бир агым: ң, ө, ү")
    # responsive: the viewBox is the drawing, the width follows the container, no fixed height
    assert [float(v) for v in root.get("viewBox").split()] == [0, 0, drawing.width, drawing.height]
    assert root.get("width") == "100%" and root.get("height") is None and root.get("preserveAspectRatio")
    # nothing fetched from anywhere: the only URL is the SVG namespace; fonts by family name only
    assert re.findall(r"https?://[^\s\"'<>]+", svg) == ["http://www.w3.org/2000/svg"]
    assert "url(" not in svg and "href" not in svg and "@import" not in svg and "<image" not in svg
    assert "DejaVu Sans" in root.get("font-family") and root.get("font-family").endswith("sans-serif")
    # no style="" (the portal's CSP style-src 'self' would drop it) and no ids but the two given
    assert all(e.get("style") is None for e in root.iter())
    assert [e.get("id") for e in root.iter() if e.get("id")] == ["gaps-2024-title", "gaps-2024-desc"]
    shown = texts(root)
    for bar in bars:
        assert bar["text"] in shown
    joined = " ".join(shown)  # a name may be wrapped over two lines
    assert KY_SHORT in joined and RU_SHORT in shown and "ң" in KY_SHORT
    assert "Жергиликтүү" in joined and "Отчисления на" in joined
    assert any(t.endswith("…") for t in shown)  # the longest name was shortened


def test_several_charts_on_one_page_do_not_share_ids() -> None:
    drawing = charts.bar_chart(ten_bars()[:3], width=360)
    first = parse(charts.svg(drawing, title="A", description="a", id="one"))
    second = parse(charts.svg(drawing, title="B", description="b", id="two"))
    ids = [e.get("id") for root in (first, second) for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids)) == 4
    with pytest.raises(ValueError):
        charts.svg(drawing, title="A", description="a", id="bad id\"")


def test_figures_keep_their_alignment_with_a_fallback_font() -> None:
    # text-anchor end/middle rather than an x computed from DejaVu's widths
    drawing = charts.bar_chart([{"label": "Роялти", "value": Decimal(-5), "text": "-5,00"},
                                {"label": "НДС", "value": Decimal(9), "text": "9,00"}], width=360, font_size=12)
    root = parse(charts.svg(drawing, title="t", description="d", id="c"))
    negative = next(t for t in root.iter(f"{NS}text") if t.text == "-5,00")
    assert negative.get("text-anchor") == "end"
    positive = next(t for t in root.iter(f"{NS}text") if t.text == "9,00")
    assert positive.get("text-anchor") is None  # start


def test_negative_values_put_the_bar_left_of_the_zero_line() -> None:
    bars = [{"label": KY_SHORT, "value": Decimal(100), "text": "100,00"},
            {"label": RU_SHORT, "value": Decimal("-50.5"), "text": "-50,50"}]
    drawing = charts.bar_chart(bars, width=360, font_size=12)
    root = parse(charts.svg(drawing, title="t", description="d", id="neg"))
    rects = {r.get("fill"): r for r in root.iter(f"{NS}rect")}
    pos, neg = rects["#" + base.ACCENT.hexval()[2:].lower()], rects["#" + charts.NEGATIVE.hexval()[2:].lower()]
    zero = float(pos.get("x"))
    assert float(neg.get("x")) < zero
    assert float(neg.get("x")) + float(neg.get("width")) == pytest.approx(zero, abs=0.02)
    assert float(neg.get("width")) == pytest.approx(float(pos.get("width")) * 50.5 / 100, rel=0.01)
    figure = next(t for t in root.iter(f"{NS}text") if t.text == "-50,50")
    assert float(figure.get("x")) < float(neg.get("x"))  # ends left of the bar's end
    assert_readable(drawing)


def test_many_bars_grow_the_height() -> None:
    few = charts.bar_chart(ten_bars()[:3], width=360, font_size=12)
    many = charts.bar_chart(ten_bars() * 3, width=360, font_size=12)
    assert many.height > few.height * 5
    assert float(parse(charts.svg(many, title="t", description="d", id="m")).get("viewBox").split()[3]) == many.height


@pytest.mark.parametrize("layout", ["left", "above"])
@pytest.mark.parametrize("width,size", [(charts.SCREEN_WIDTH, charts.SCREEN_FONT_SIZE), (reconciliation.WIDTH, 7.5),
                                        (240, 12)])
def test_bar_labels_wrap_or_shorten_and_never_overlap(layout: str, width: float, size: float) -> None:
    bars = ten_bars() + [{"label": "Инфраструктураныөнүктүрүүгөжанакүтүүгөчегерүүлөр" * 2, "value": Decimal(-9),
                          "text": "-9,00"}]
    drawing = charts.bar_chart(bars, width=width, font_size=size, labels=layout)
    assert_readable(drawing)
    found, _rects = boxes(drawing)
    figures = {bar["text"] for bar in bars}
    label_lines = [t for _box, t in found if t not in figures]
    assert len(label_lines) <= 2 * len(bars)
    assert all(t.endswith("…") or t in KY_LONG + RU_LONG + KY_SHORT + RU_SHORT + " ".join(b["label"] for b in bars)
               for t in label_lines)


def test_wrap_label_keeps_two_lines_within_the_width() -> None:
    font = base.make_styles().fonts.regular
    lines = charts.wrap_label(KY_LONG, font, 12, 150)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert all(stringWidth(line, font, 12) <= 150 for line in lines)
    assert lines[0].startswith("Жергиликтүү")
    assert charts.wrap_label(KY_SHORT, font, 12, 300) == [KY_SHORT]
    assert charts.wrap_label("Ө" * 80, font, 12, 100)[-1].endswith("…")  # one over-long word is cut
    assert charts.wrap_label("", font, 12, 100) == [""]


def years(values: list[int]) -> list[dict]:
    return [{"label": str(2019 + i), "value": Decimal(v), "text": f"{v:,}".replace(",", "\u00a0") + ",5"}
            for i, v in enumerate(values)]


def budget_series(values: list[int]) -> list[dict]:
    return [{"name": "Республикалык бюджет", "values": [Decimal(v) * Decimal("0.7") for v in values]},
            {"name": "Жергиликтүү бюджеттер (өнүктүрүү фонддору)", "values": [Decimal(v) * Decimal("0.3")
                                                                          for v in values]}]


@pytest.mark.parametrize("mode", ["stacked", "grouped"])
def test_column_chart_with_two_series_and_a_legend(mode: str) -> None:
    values = [1234, 2345, 3100, 2900, 4100, 4500]
    series = budget_series(values)
    if mode == "grouped":
        series = [dict(s, texts=[f"{float(v):.1f}" for v in s["values"]]) for s in series]
    drawing = charts.column_chart(years(values), width=charts.SCREEN_WIDTH, font_size=charts.SCREEN_FONT_SIZE,
                                  series=series, mode=mode)
    assert_readable(drawing)
    svg = charts.svg(drawing, title="Бюджеттерге түшүүлөр", description="2019–2024, миң сом", id=f"trend-{mode}")
    root = parse(svg)
    shown = texts(root)
    assert "Республикалык бюджет" in shown and "Жергиликтүү бюджеттер (өнүктүрүү фонддору)" in shown
    assert {str(y) for y in range(2019, 2025)} <= set(shown)
    if mode == "stacked":
        assert {c["text"] for c in years(values)} <= set(shown)
    else:
        assert "3150.0" in shown  # 0.7 × 4500
    assert root.get("width") == "100%" and root.get("role") == "img"
    assert re.findall(r"https?://[^\s\"'<>]+", svg) == ["http://www.w3.org/2000/svg"]
    # greyscale: the two series' fills differ in luminance by at least a quarter of the range
    fills = {r.get("fill") for r in root.iter(f"{NS}rect")} - {None, "none"}
    assert len(fills) == 2
    lum = sorted(charts.luminance(colors.HexColor(f)) for f in fills)
    assert lum[1] - lum[0] >= 0.25
    # and the lighter one is also outlined and hatched
    assert any(r.get("fill") == "none" and r.get("stroke") for r in root.iter(f"{NS}rect"))
    assert any(p.get("fill") == "none" and p.get("d", "").count("M") > 3 for p in root.iter(f"{NS}path"))


def test_series_palette_survives_greyscale() -> None:
    styles = charts.SERIES_STYLES
    assert len(styles) >= 2
    for i, a in enumerate(styles):
        for b in styles[i + 1:]:
            assert abs(charts.luminance(a.fill) - charts.luminance(b.fill)) >= 0.25
    for style in styles[1:]:
        assert style.stroke is not None or style.hatch  # not told apart by colour alone
    assert charts.luminance(colors.white) - charts.luminance(styles[0].fill) >= 0.25
    with pytest.raises(ValueError):
        charts.column_chart(years([1, 2]), width=360, series=budget_series([1, 2]) * 2)


def test_narrow_columns_turn_long_figures_upright_and_negatives_go_down() -> None:
    values = [987_654_321, -123_456_789, 5, 0, 42_000_000, -7, 1_000_000, 250_000_000]
    drawing = charts.column_chart(years(values), width=360, font_size=12)
    assert_readable(drawing)
    assert any(isinstance(node, Group) and node.transform[:4] == (0, 1, -1, 0) for node in drawing.getContents())
    root = parse(charts.svg(drawing, title="t", description="d", id="upright"))
    assert {c["text"] for c in years(values)} <= set(texts(root))
    # the negative columns hang below the zero line
    zero_line = next(p for p in root.iter(f"{NS}path") if re.fullmatch(r"M0 [\d.]+L360 [\d.]+Z?", p.get("d")))
    zero = float(zero_line.get("d").split()[1].split("L")[0])
    negative = "#" + charts.NEGATIVE.hexval()[2:].lower()
    hanging = [r for r in root.iter(f"{NS}rect") if r.get("fill") == negative]
    assert len(hanging) == 2
    for rect in hanging:
        assert float(rect.get("y")) + float(rect.get("height")) == pytest.approx(zero, abs=0.02)


def test_too_many_columns_leave_the_figures_to_the_table() -> None:
    drawing = charts.column_chart(years(list(range(1, 61))), width=360, font_size=12)
    assert_readable(drawing)
    found, _rects = boxes(drawing)
    assert not any("," in text for _box, text in found)
    shown = [text for _box, text in found]
    assert "2019" in shown and "2020" not in shown and len(shown) < 60  # every k-th year is named


# --------------------------------------------------------------------------- PDF


@poppler
@pytest.mark.parametrize("kind", ["bar", "column"])
def test_the_same_drawing_renders_to_pdf_and_png(kind: str, tmp_path: Path) -> None:
    if kind == "bar":
        drawing = charts.bar_chart(ten_bars(), width=reconciliation.WIDTH)
        expected = [KY_SHORT, "987\u00a0654,00", "-50\u00a0000,00"]
    else:
        drawing = charts.column_chart(years([1234, 2345, 3100]), width=base.CONTENT_WIDTH,
                                      series=budget_series([1234, 2345, 3100]))
        expected = ["Республикалык бюджет", "2021", "3\u00a0100,5"]
    charts.svg(drawing, title="t", description="d", id="x")  # SVG first: the drawing is left unchanged
    pdf = tmp_path / "chart.pdf"
    pdf.write_bytes(renderPDF.drawToString(drawing))
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    flat = " ".join(text.replace("\u00a0", " ").split())
    for item in expected:
        assert item.replace("\u00a0", " ") in flat
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    names = {line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:] if line.strip()}
    assert names == {"DejaVuSans"}
    subprocess.run(["pdftoppm", "-png", "-r", "72", str(pdf), str(tmp_path / "chart")], check=True)
    png = next(tmp_path.glob("chart*.png"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 2000
    width, height, pixels = grey_pixels(pdf, tmp_path, 72)
    assert sum(1 for p in pixels if p < 128) > 0.01 * width * height


@poppler
def test_greyscale_print_tells_the_two_series_apart(tmp_path: Path) -> None:
    values = [3000, 3000]
    drawing = charts.column_chart(years(values), width=300, plot_height=300, font_size=10,
                                  series=budget_series(values))
    root = parse(charts.svg(drawing, title="t", description="d", id="g"))
    pdf = tmp_path / "chart.pdf"
    pdf.write_bytes(renderPDF.drawToString(drawing))
    dpi = 144
    width, _height, pixels = grey_pixels(pdf, tmp_path, dpi)
    means = []
    for rect in [r for r in root.iter(f"{NS}rect") if r.get("fill") not in (None, "none")][:2]:
        x, y, w, h = (float(rect.get(k)) for k in ("x", "y", "width", "height"))
        # the middle half of the rectangle, in pixels (SVG rect y is the drawing's, which is bottom-up)
        px0, px1 = int((x + w / 4) * dpi / 72), int((x + 3 * w / 4) * dpi / 72)
        py0, py1 = int((drawing.height - y - 3 * h / 4) * dpi / 72), int((drawing.height - y - h / 4) * dpi / 72)
        area = [pixels[row * width + col] for row in range(py0, py1) for col in range(px0, px1)]
        means.append(sum(area) / len(area))
    assert abs(means[0] - means[1]) >= 0.25 * 255


@poppler
def test_flowable_shrinks_a_wide_drawing_to_the_frame(tmp_path: Path) -> None:
    drawing = charts.bar_chart(ten_bars(), width=base.CONTENT_WIDTH * 1.5)
    item = charts.flowable(drawing)
    assert item.wrap(base.CONTENT_WIDTH, 10_000) == pytest.approx((base.CONTENT_WIDTH, drawing.height / 1.5))
    assert item.wrap(10_000, 10_000) == (drawing.width, drawing.height)  # never enlarged
    pdf = tmp_path / "story.pdf"
    pdf.write_bytes(base.build_document([charts.flowable(drawing)], title="t", subject="s",
                                        decor=base.PageDecor("a", "b", "c")))
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert KY_SHORT in text


def test_reconciliation_bar_chart_comes_from_charts() -> None:
    st = base.make_styles()
    bars = ten_bars()
    drawing = reconciliation.bar_chart(bars, st)
    assert drawing.width == reconciliation.WIDTH and reconciliation.NEGATIVE is charts.NEGATIVE
    assert_readable(drawing)
    found, _rects = boxes(drawing)
    assert {bar["text"] for bar in bars} <= {t for _box, t in found}
    label_w = max(b[2] for b, t in found if t not in {bar["text"] for bar in bars})
    assert label_w <= 95 * 72 / 25.4 + 0.1  # names stay within 95 mm, as before
