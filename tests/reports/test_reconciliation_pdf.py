"""Reconciliation report PDF: Kyrgyz and Russian text, every line's figures, landscape pages with repeated
headers and "N / M" footers, the bar chart, embedded DejaVu fonts, rendering."""
from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from flask import Flask

from reconciliation_sample import COMPANIES, NOT_PARTICIPATING_REASON, sample_lines, sample_report
from esg_portal.eiti import reconciliation as engine
from esg_portal.eiti.report_data import amount_text, ordered_lines, pct_text
from esg_portal.eiti.report_files import build_pdf, pdf_data
from esg_portal.reports.reconciliation import LABELS_EN, build_reconciliation_report

pytestmark = pytest.mark.skipif(not all(shutil.which(t) for t in ("pdftoppm", "pdftotext", "pdffonts", "pdfinfo")),
                                reason="poppler-utils is not installed")

KY_STREAM = "Жергиликтүү маанидеги инфраструктураны өнүктүрүүгө чегерүүлөр"
RU_STREAM = "Отчисления на развитие и содержание инфраструктуры местного значения"


def _text(pdf: Path, *args: str, mode: str = "-raw") -> str:
    out = subprocess.run(["pdftotext", mode, *args, str(pdf), "-"], check=True, capture_output=True, text=True)
    return out.stdout


def _flat(value: str) -> str:
    return " ".join(value.replace("\u00a0", " ").split())


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def _build(app: Flask, path: Path, locale: str, **kwargs) -> Path:
    with app.test_request_context("/"):
        path.write_bytes(build_pdf(sample_report(locale, **kwargs)))
    return path


@pytest.fixture
def ky_pdf(app: Flask, tmp_path: Path) -> Path:
    return _build(app, tmp_path / "ky.pdf", "ky", huge=True)


@pytest.fixture
def ru_pdf(app: Flask, tmp_path: Path) -> Path:
    return _build(app, tmp_path / "ru.pdf", "ru")


def many_lines(n: int) -> pd.DataFrame:
    """A run of ``n`` two-sided lines, every one a discrepancy of a different size."""
    streams = ["ROYALTY", "CIT", "LOCAL_DEV", "BONUS", "VAT"]
    rows = [(f"{i:014d}", streams[i % 5], "STS") for i in range(n)]
    side = {"company_inn": [r[0] for r in rows], "revenue_stream": [r[1] for r in rows],
            "government_entity": [r[2] for r in rows], "project": [""] * n}
    payments = pd.DataFrame({**side, "amount_minor": pd.array([1_000_000 + 137 * i for i in range(n)], dtype="int64")})
    receipts = pd.DataFrame({**side, "amount_minor": pd.array([1_000_000 + 150 * i for i in range(n)], dtype="int64")})
    lines = engine.reconcile(payments.iloc[1:], receipts, None)  # the first line is government-only
    lines.index = pd.RangeIndex(1, len(lines) + 1, name="position")
    return lines


def test_kyrgyz_report_has_the_names_the_figures_and_every_line(app: Flask, ky_pdf: Path) -> None:
    flat = _flat(_text(ky_pdf))
    assert KY_STREAM in flat and "Мамлекеттик салык кызматы" in flat
    assert "ү" in flat and "ө" in flat
    for name in COMPANIES.values():
        assert name in flat
    assert NOT_PARTICIPATING_REASON in flat
    report = sample_report("ky", huge=True)
    for line in report.lines.to_dict("records"):
        for column in ("company_final", "government_final", "final_gap"):
            figure = amount_text(line[column], "KGS", "ky")
            assert _flat(figure) in flat, (column, figure)
        if line["gap_pct"] is not pd.NA:
            assert _flat(pct_text(line["gap_pct"], "ky")) in flat
    # the ~988 trillion som figure is exact: no float ever printed it
    assert "987 654 321 098 765,43" in flat and "987 654 321 098 765,44" in flat
    with app.test_request_context("/"):
        data, _labels = pdf_data(sample_report("ky"))
    assert _flat(data["subtitle"]) in flat and "2025" in data["subtitle"]  # period and run number


def test_russian_report_with_cyrillic_names_renders(ru_pdf: Path, tmp_path: Path) -> None:
    flat = _flat(_text(ru_pdf))
    assert RU_STREAM in flat and "Государственная налоговая служба" in flat and "Роялти" in flat
    assert "60 000,00" in flat and "-50 000,00" in flat  # amounts in the reader's notation
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(ru_pdf), str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == _pages(ru_pdf) and all(p.stat().st_size > 2000 for p in pngs)


def test_line_table_in_the_reports_order_with_the_order_stated(app: Flask, ru_pdf: Path) -> None:
    with app.test_request_context("/"):
        data, _labels = pdf_data(sample_report("ru"))
    table = next(spec for spec in data["sections"] if spec.get("compact"))
    text = _flat(_text(ru_pdf))
    assert _flat(table["note"])[:60] in text  # the order is stated above the table
    # positions of the line table appear in the report's order: discrepancies first
    start = text.index(_flat(table["note"])[:60])
    expected = [str(p) for p in ordered_lines(sample_lines()).index]
    assert [row[0] for row in table["rows"]] == expected
    found = [m for m in re.findall(r"(?:^| )(\d{1,2}) (?=[^\d /])", text[start:]) if m in expected]
    assert found[:len(expected)] == expected


def test_pages_are_landscape_with_footer_and_fonts(ky_pdf: Path) -> None:
    info = subprocess.run(["pdfinfo", str(ky_pdf)], check=True, capture_output=True, text=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert width > height
    pages = _pages(ky_pdf)
    for page in range(1, pages + 1):
        assert f"{page} / {pages}" in _text(ky_pdf, "-f", str(page), "-l", str(page))
    fonts = subprocess.run(["pdffonts", str(ky_pdf)], check=True, capture_output=True, text=True).stdout
    names = {line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:] if line.strip()}
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= names
    assert not any(n.startswith(("Helvetica", "Times")) for n in names)
    assert b"/Lang (ky)" in ky_pdf.read_bytes()


def test_a_long_line_table_repeats_its_header_on_every_page(app: Flask, tmp_path: Path) -> None:
    lines = many_lines(160)
    pdf = _build(app, tmp_path / "long.pdf", "en", lines=lines)
    pages = _pages(pdf)
    assert pages >= 5
    texts = {p: _flat(_text(pdf, "-f", str(p), "-l", str(p))) for p in range(1, pages + 1)}
    first = min(p for p, t in texts.items() if "Line table" in t)
    last = max(p for p, t in texts.items() if re.search(r"\b0000000000\d{4}\b", t))
    assert last - first >= 2
    for page in range(first, last + 1):  # the line table's pages: header on each, continuation or not
        assert "Company, final" in texts[page] and "Final unreconciled difference" in texts[page], page
    flat = _flat(_text(pdf))
    for gap in lines["final_gap"].dropna():
        assert amount_text(gap, "KGS", "en") in flat
    assert "Reported by the government only" in flat


def test_the_chart_shows_each_streams_exact_difference(app: Flask) -> None:
    with app.test_request_context("/"):
        data, _labels = pdf_data(sample_report("ky"))
    bars = {bar["label"]: bar for bar in data["chart"]["bars"]}
    assert bars[KY_STREAM]["value"] == Decimal("60000.00") and bars[KY_STREAM]["text"] == "60\u00a0000,00"
    assert all(isinstance(bar["value"], Decimal) for bar in bars.values())
    assert len(bars) == len(set(sample_lines()["revenue_stream"]))


def test_plain_builder_with_empty_tables_and_no_chart(tmp_path: Path) -> None:
    data = {"title": "Отчёт о сверке", "subtitle": "2025 · 1", "facts": [["Период", "2025"]],
            "sections": [{"title": "Строки", "header": ["A"], "rows": [], "empty": "Строк нет."}]}
    pdf = tmp_path / "empty.pdf"
    pdf.write_bytes(build_reconciliation_report(data, {}))
    flat = _flat(_text(pdf))
    assert "Отчёт о сверке" in flat and "Строк нет." in flat and LABELS_EN["portal_name"] in flat
    assert "1 / 1" in flat


def test_every_page_has_ink(ky_pdf: Path, tmp_path: Path) -> None:
    subprocess.run(["pdftoppm", "-gray", "-r", "50", str(ky_pdf), str(tmp_path / "grey")], check=True)
    pgms = sorted(tmp_path.glob("grey-*.pgm"))
    assert len(pgms) == _pages(ky_pdf)
    for pgm in pgms:
        raw = pgm.read_bytes()
        header = raw.split(b"\n", 3)
        width, height = map(int, header[1].split())
        pixels = header[3][:width * height]
        assert sum(1 for p in pixels if p < 160) > 0.001 * width * height, f"{pgm.name} looks blank"


def test_wrap_text_breaks_at_spaces_within_the_width() -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from esg_portal.reports.base import CELL_PADDING, make_styles, wrap_text
    font = make_styles().fonts.regular
    wrapped = wrap_text(KY_STREAM + "\n1415E4", 90, font, 7)
    lines = wrapped.split("\n")
    assert lines[-1] == "1415E4" and " ".join(lines[:-1]) == KY_STREAM and len(lines) > 2
    assert all(stringWidth(line, font, 7) <= 90 - 2 * CELL_PADDING for line in lines)
    # a word wider than the column is broken between its characters, every piece within the width
    pieces = wrap_text("инфраструктураны", 24, font, 7).split("\n")
    assert len(pieces) > 1 and "".join(pieces) == "инфраструктураны"
    assert all(stringWidth(piece, font, 7) <= 24 - 2 * CELL_PADDING for piece in pieces)


@pytest.mark.parametrize("locale", ["en", "ru", "ky"])
def test_report_numbers_read_as_babel_writes_them(locale: str) -> None:
    """The report's own number formatting (30 times faster) gives babel's text for every kind of figure."""
    import random

    from babel.numbers import format_decimal

    from esg_portal.eiti.report_data import count_text, rate_text

    rng = random.Random(14)
    values = [0, 1, -1, 5, -5, 99, 100, 999, 1000, -1000, 1234, 123456, 1234567, 10**15 - 1, -(10**15) + 1]
    values += [rng.randint(-10**16, 10**16) for _ in range(300)] + [rng.randint(-10**5, 10**5) for _ in range(300)]
    for v in values:
        assert amount_text(v, "KGS", locale) == format_decimal(Decimal(v).scaleb(-2), format="#,##0.00", locale=locale)
        assert pct_text(v, locale) == format_decimal(Decimal(v).scaleb(-2), format="#,##0.00",
                                                     locale=locale) + "\u00a0%"
        assert count_text(v, locale) == format_decimal(v, format="#,##0", locale=locale)
        if v > 0:
            assert rate_text(v, locale) == format_decimal(Decimal(v).scaleb(-4), format="#,##0.0000", locale=locale)
