"""Filing receipt PDF: Kyrgyz text, totals, SHA-256, multi-page tables, fonts, rendering."""
from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from esg_portal.reports import LABELS_EN, build_filing_receipt

pytestmark = pytest.mark.skipif(not all(shutil.which(t) for t in ("pdftoppm", "pdftotext", "pdffonts", "pdfinfo")),
                                reason="poppler-utils is not installed")

COMPANY = "Кутессай Сейрек Металлдар ЖЧК"
INN = "02304201910123"
SHA = "9f2c4e6a8b0d1f3e5a7c9e1b3d5f7a9c0e2b4d6f8a1c3e5b7d9f1a3c5e7b9d10"
ATTESTER = "Асанова Гүлнара Төлөнбаевна"

KY_LABELS = {
    "portal_name": "ESG/ЭИТИ маалымат ачыктоо порталы · Кыргыз Республикасынын тоо-кен тармагы",
    "title": "Отчётту тапшыруу боюнча квитанция",
    "company": "Компания",
    "inn": "ИСН",
    "legal_form": "Уюштуруу-укуктук түрү",
    "address": "Дареги",
    "period": "Отчёттук мезгил",
    "version": "Версия",
    "status": "Абалы",
    "submitted_at": "Тапшырылган убакыт",
    "amendment_reason": "Өзгөртүүнүн себеби",
    "sha256": "SHA-256",
    "attestation": "Ырастоо",
    "attested_by": "Ырастаган",
    "payments": "Мамлекетке төлөмдөр",
    "no_lines": "Төлөмдөр тапшырылган эмес.",
    "col_number": "№",
    "col_revenue_stream": "Киреше агымы",
    "col_gfs_code": "МФС коду",
    "col_government_entity": "Мамлекеттик орган",
    "col_project": "Долбоор",
    "col_amount": "Сумма",
    "col_currency": "Валюта",
    "col_in_kind": "Натуралай",
    "col_comment": "Эскертүү",
    "totals_by_stream": "Киреше агымдары боюнча жыйынтык",
    "totals_by_entity": "Мамлекеттик органдар боюнча жыйынтык",
    "totals": "Валюта боюнча жалпы сумма",
    "total": "Баары",
    "sections": "Башка бөлүмдөр",
    "col_section": "Бөлүм",
    "col_section_status": "Абалы",
    "attachments": "Тиркемелер",
    "col_file": "Файл",
    "none": "Жок",
    "verification": "Текшерүү",
    "verification_note": ("SHA-256 тапшырылган мазмунду так аныктайт; отчёттогу эң кичине өзгөртүү да "
                          "башка маанини берет. Аны порталдагы ушул версиянын маанисине салыштырыңыз."),
    "generated_at": "Түзүлгөн",
}

STREAMS = [("Пайдалуу кендерди казуу үчүн роялти", "1142E"), ("Киреше салыгы", "1112E1"),
           ("Жер казынасын пайдалануу укугу үчүн бонус", "1415E1"),
           ("Жергиликтүү инфраструктураны өнүктүрүү фондуна төгүм (2 %)", "1415E31")]
ENTITIES = ["Салык кызматы", "Кемин районунун Актүз айыл өкмөтү",
            "Геология жана жер казынасын пайдалануу боюнча мамлекеттик агенттик"]


def ky_amount(value: Decimal) -> str:
    """Format like Babel's ky locale: non-breaking-space groups and a decimal comma."""
    return f"{value:,.2f}".replace(",", "\u00a0").replace(".", ",")


def receipt_data(n_lines: int) -> dict:
    lines, by_stream, by_entity, totals = [], {}, {}, {}
    for i in range(n_lines):
        stream, gfs = STREAMS[i % len(STREAMS)]
        entity = ENTITIES[i % len(ENTITIES)]
        currency = "USD" if i % 7 == 6 else "KGS"
        amount = Decimal(1_234_567 + 98_765 * i) / 100 + Decimal(1000 * (i % 5))
        in_kind = i % 10 == 3
        lines.append({
            "revenue_stream": stream, "gfs_code": gfs, "government_entity": entity,
            "project": "Кутессай-II кени" if i % 2 else "Актүз байытуу фабрикасы",
            "amount": ky_amount(amount), "currency": currency,
            "paid_in_kind": "ооба" if in_kind else "жок",
            "in_kind": "120 т концентрат" if in_kind else "",
            "comment": "Төлөм тапшырмасы № " + str(1000 + i) + (" & <b>кечиктирилген</b> төлөм" if i == 1 else ""),
        })
        by_stream[(stream, currency)] = by_stream.get((stream, currency), Decimal(0)) + amount
        by_entity[(entity, currency)] = by_entity.get((entity, currency), Decimal(0)) + amount
        totals[currency] = totals.get(currency, Decimal(0)) + amount
    return {
        "company": {"name": COMPANY, "inn": INN, "legal_form": "Жоопкерчилиги чектелген коом",
                    "address": "Чүй облусу, Кемин району, Актүз айылы, Борбордук көчөсү 1"},
        "period": {"year": 2025, "start_date": "01.01.2025", "end_date": "31.12.2025"},
        "version": 2, "status": "Тапшырылды",
        "submitted_at": "31.03.2026 15:15 (UTC+6)",
        "sha256": SHA,
        "attestation": {"name": ATTESTER, "position": "Башкы бухгалтер",
                        "text": "Мен бул отчёттогу маалыматтардын толук жана туура экендигин ырастайм."},
        "amendment_reason": "Роялти боюнча төлөм тапшырмасынын суммасы оңдолду.",
        "lines": lines,
        "totals_by_stream": [{"label": k[0], "amount": ky_amount(v), "currency": k[1]} for k, v in by_stream.items()],
        "totals_by_entity": [{"label": k[0], "amount": ky_amount(v), "currency": k[1]} for k, v in by_entity.items()],
        "totals": [{"currency": c, "amount": ky_amount(v)} for c, v in sorted(totals.items())],
        "sections": [{"title": "Курчап турган чөйрөгө таасирди баалоо", "status_text": "берилген эмес"},
                     {"title": "Социалдык келишимдер", "status_text": "нөл: келишим түзүлгөн эмес"}],
        "attachments": [{"name": "Төлөм тапшырмалары 2025.pdf", "sha256": "ab" * 32}],
        "generated_at": "31.03.2026 15:20 (UTC+6)",
        "language": "ky",
    }


def _pdftotext(pdf: Path, *args: str, mode: str = "-layout") -> str:
    out = subprocess.run(["pdftotext", mode, *args, str(pdf), "-"], check=True, capture_output=True, text=True)
    return out.stdout


def _page_text(pdf: Path, page: int) -> str:
    """One page in content-stream order (-raw): single spaces survive, e.g. the footer's "1 / 2"."""
    return _pdftotext(pdf, "-f", str(page), "-l", str(page), mode="-raw")


def _page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def _read_pgm(path: Path) -> tuple[int, int, bytes]:
    """Parse a binary PGM (P5) file: width, height and the 8-bit grey pixels."""
    raw = path.read_bytes()
    fields, pos = [], 0
    while len(fields) < 4:  # magic, width, height, maxval; comments start with '#'
        while raw[pos:pos + 1].isspace():
            pos += 1
        if raw[pos:pos + 1] == b"#":
            pos = raw.index(b"\n", pos) + 1
            continue
        end = pos
        while not raw[end:end + 1].isspace():
            end += 1
        fields.append(raw[pos:end])
        pos = end
    assert fields[0] == b"P5" and fields[3] == b"255"
    width, height = int(fields[1]), int(fields[2])
    pixels = raw[pos + 1:pos + 1 + width * height]
    assert len(pixels) == width * height
    return width, height, pixels


def _normal(s: str) -> str:
    return " ".join(s.replace("\u00a0", " ").split())


@pytest.fixture(scope="module")
def small_pdf(tmp_path_factory) -> tuple[Path, dict]:
    data = receipt_data(3)
    path = tmp_path_factory.mktemp("receipt") / "receipt-3.pdf"
    path.write_bytes(build_filing_receipt(data, KY_LABELS))
    return path, data


@pytest.fixture(scope="module")
def long_pdf(tmp_path_factory) -> tuple[Path, dict]:
    data = receipt_data(150)
    path = tmp_path_factory.mktemp("receipt") / "receipt-150.pdf"
    path.write_bytes(build_filing_receipt(data, KY_LABELS))
    return path, data


@pytest.mark.parametrize("which", ["small_pdf", "long_pdf"])
def test_text_has_company_inn_totals_sha_and_attestation(which, request):
    pdf, data = request.getfixturevalue(which)
    text = _pdftotext(pdf)
    flat = _normal(text)
    assert COMPANY in flat
    assert "ң" in flat and "ө" in flat and "ү" in flat
    assert INN in flat
    assert ATTESTER in flat
    assert KY_LABELS["title"] in flat
    assert SHA in re.sub(r"\s+", "", text)
    for total in data["totals"] + data["totals_by_stream"] + data["totals_by_entity"]:
        assert _normal(total["amount"]) in flat
    # user text is escaped, never interpreted as markup (raw order: the cell wraps in -layout)
    assert "& <b>кечиктирилген</b> төлөм" in _normal(_pdftotext(pdf, mode="-raw"))


def test_three_lines_fit_on_one_page_with_footer(small_pdf):
    pdf, _ = small_pdf
    pages = _page_count(pdf)
    assert pages <= 2
    assert f"1 / {pages}" in _page_text(pdf, 1)


def test_long_table_splits_across_pages_with_repeated_header(long_pdf):
    pdf, data = long_pdf
    pages = _page_count(pdf)
    assert pages > 2
    for page in (1, 2, pages):
        assert f"{page} / {pages}" in _page_text(pdf, page)
    # the table header repeats on the continuation page, and no row is lost
    page2 = _pdftotext(pdf, "-f", "2", "-l", "2")
    assert KY_LABELS["col_government_entity"] in page2 and KY_LABELS["col_amount"] in page2
    flat = _normal(_pdftotext(pdf))
    for line in data["lines"]:
        assert _normal(line["amount"]) in flat
    raw = _normal(_pdftotext(pdf, mode="-raw"))
    assert "Төлөм тапшырмасы № 1000" in raw and "Төлөм тапшырмасы № 1149" in raw
    table_pages = [p for p in range(1, pages + 1) if "Төлөм тапшырмасы" in _page_text(pdf, p)]
    assert len(table_pages) > 2
    assert all(KY_LABELS["col_comment"] in _page_text(pdf, p) for p in table_pages)


def test_dejavu_fonts_are_embedded(small_pdf):
    pdf, _ = small_pdf
    out = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    embedded = {row[0].split("+")[-1] for row in rows if row[-3:-2] == ["yes"] or "yes" in row[-3:]}
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= embedded
    assert not any(row[0].split("+")[-1].startswith(("Helvetica", "Times")) for row in rows)


def test_metadata_title_author_language(small_pdf):
    pdf, _ = small_pdf
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"^Title:\s+.*" + re.escape(COMPANY), info, re.M)
    assert re.search(r"^Author:\s+esg_portal$", info, re.M)
    assert re.search(r"^Subject:\s+.*2025", info, re.M)
    assert b"/Lang (ky)" in pdf.read_bytes()


@pytest.mark.parametrize("which", ["small_pdf", "long_pdf"])
def test_every_page_renders_with_ink(which, request, tmp_path):
    pdf, _ = request.getfixturevalue(which)
    pages = _page_count(pdf)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "png")], check=True)
    pngs = sorted(tmp_path.glob("png-*.png"))
    assert len(pngs) == pages
    assert all(p.stat().st_size > 2000 for p in pngs)
    subprocess.run(["pdftoppm", "-gray", "-r", "30", str(pdf), str(tmp_path / "grey")], check=True)
    pgms = sorted(tmp_path.glob("grey-*.pgm"))
    assert len(pgms) == pages
    for pgm in pgms:
        width, height, pixels = _read_pgm(pgm)
        dark = sum(1 for p in pixels if p < 128)
        assert dark > 0.002 * width * height, f"{pgm.name} looks blank"


def test_empty_filing_and_default_labels(tmp_path):
    data = receipt_data(0)
    data.update(amendment_reason=None, sections=[], attachments=[], totals=[], language=None)
    del data["generated_at"]
    pdf = tmp_path / "empty.pdf"
    pdf.write_bytes(build_filing_receipt(data, {}))
    flat = _normal(_pdftotext(pdf))
    assert LABELS_EN["title"] in flat and LABELS_EN["no_lines"] in flat and COMPANY in flat
    assert LABELS_EN["amendment_reason"] not in flat
    assert re.search(r"Generated: \d{4}-\d\d-\d\d \d\d:\d\d UTC", flat)


def test_very_long_cell_text_splits_instead_of_failing(tmp_path):
    data = receipt_data(2)
    data["lines"][0]["comment"] = "Өтө узун эскертүү. " * 600
    data["company"]["name"] = ("Кыргыз-Канада биргелешкен «Алтын-Түндүк Сейрек Металлдар» "
                               "жоопкерчилиги чектелген коому ") * 3
    pdf = tmp_path / "long-cell.pdf"
    pdf.write_bytes(build_filing_receipt(data, KY_LABELS))
    assert _page_count(pdf) >= 2
    assert "Алтын-Түндүк" in _pdftotext(pdf)


def test_output_is_a_pdf_and_input_is_untouched():
    data = receipt_data(3)
    before = repr(data)
    out = build_filing_receipt(data, KY_LABELS)
    assert out.startswith(b"%PDF-") and out.rstrip().endswith(b"%%EOF")
    assert repr(data) == before
