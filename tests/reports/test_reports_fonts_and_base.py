"""reports/ scaffolding: font registration, digest wrapping, column widths, metadata, import rules."""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.fonts import tt2ps
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

from esg_portal.reports import base, fonts

REPORTS_DIR = Path(base.__file__).resolve().parent


def test_locate_fonts_explains_how_to_install(tmp_path):
    with pytest.raises(fonts.FontError, match="fonts-dejavu-core") as excinfo:
        fonts.locate_fonts(tmp_path)
    assert "DejaVuSans.ttf" in str(excinfo.value) and fonts.FONT_DIR_ENV in str(excinfo.value)


def test_font_dir_env_override(monkeypatch, tmp_path):
    monkeypatch.setenv(fonts.FONT_DIR_ENV, str(tmp_path))
    assert fonts.font_dir() == tmp_path
    monkeypatch.delenv(fonts.FONT_DIR_ENV)
    assert fonts.font_dir() == Path(fonts.DEFAULT_FONT_DIR)


def test_env_font_dir_is_used_and_missing_fonts_fail_clearly(tmp_path):
    # a fresh interpreter, since registration happens once per process
    code = ("from esg_portal.reports.fonts import register_fonts\n"
            "register_fonts()\n")
    env = {**os.environ, fonts.FONT_DIR_ENV: str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "FontError" in result.stderr and "fonts-dejavu-core" in result.stderr


@pytest.mark.skipif(not Path(fonts.DEFAULT_FONT_DIR, "DejaVuSans.ttf").is_file(), reason="fonts-dejavu-core missing")
def test_register_fonts_is_idempotent_and_maps_bold():
    first = fonts.register_fonts()
    assert fonts.register_fonts() is first
    registered = pdfmetrics.getRegisteredFontNames()
    assert {first.regular, first.bold, first.mono} <= set(registered)
    assert tt2ps(first.regular, 1, 0) == first.bold  # <b> inside a Paragraph
    assert tt2ps(first.regular, 0, 1)  # <i> never fails, even without the oblique face


def test_hex_lines_wraps_a_digest_in_groups():
    digest = "0123456789abcdef" * 4
    lines = base.hex_lines(digest)
    assert lines == ["01234567 89abcdef 01234567 89abcdef"] * 2
    assert "".join("".join(lines).split()) == digest
    assert base.hex_lines("") == [""]


def test_text_escapes_markup():
    assert base.text("A & <b>B</b>\nC") == "A &amp; &lt;b&gt;B&lt;/b&gt;<br/>C"
    assert base.text(None) == ""


def test_fit_column_widths_keeps_words_whole_and_fills_the_width():
    st = base.make_styles()
    header = ["№", "Киреше агымы", "Сумма", "Валюта"]
    rows = [["1", "Пайдалуу кендерди казуу үчүн роялти", "1\u00a0234\u00a0567\u00a0890,12", "KGS"]]
    widths = base.fit_column_widths(header, rows, [0, 1, 0, 0], st)
    assert sum(widths) == pytest.approx(base.CONTENT_WIDTH)
    size = st.cell.fontSize
    assert widths[2] >= stringWidth(rows[0][2], st.fonts.bold, size)  # the amount never wraps
    assert widths[3] >= stringWidth("Валюта", st.fonts.bold, size)
    assert widths[1] == max(widths)
    # flowable cells count with their own minimum width
    para = Paragraph("Жергиликтүү<br/>1415E31", st.cell)
    assert base.fit_column_widths(["x"], [[para]], [0], st, total=200)[0] == pytest.approx(200)


def test_fit_column_widths_shrinks_when_words_cannot_fit():
    st = base.make_styles()
    widths = base.fit_column_widths(["a"], [["x" * 400]], [0], st, total=100)
    assert widths == [pytest.approx(100)]


def test_data_table_right_aligns_numeric_columns_and_repeats_header():
    st = base.make_styles()
    table = base.data_table(["Label", "Amount"], [["a", "1\u00a0000,00"], ["Total", "1\u00a0000,00"]],
                            [300, 100], st, numeric={1}, total_rows=1)
    assert table.repeatRows == 1
    cells = table._cellvalues
    assert cells[1][1].style.alignment == TA_RIGHT and cells[0][1].style.alignment == TA_RIGHT
    assert cells[1][0].style.alignment != TA_RIGHT
    assert "<b>" in cells[2][0].text  # total row in bold


def test_build_document_sets_metadata_and_numbered_footer(tmp_path):
    st = base.make_styles()
    story = [Paragraph(f"Абзац {i} — өңү", st.body) for i in range(200)]
    decor = base.PageDecor(header_left="Портал", header_right="Отчёт", footer_left="Түзүлгөн: 01.04.2026")
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(base.build_document(story, title="Аталышы", subject="Тема", decor=decor, lang="ky"))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Аталышы" in info and "esg_portal" in info and "Тема" in info
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= 2
    last = subprocess.run(["pdftotext", "-raw", "-f", str(pages), "-l", str(pages), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert f"{pages} / {pages}" in last and "Түзүлгөн: 01.04.2026" in last and "Портал" in last


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module or "")
    return names


def test_reports_import_no_domain_and_no_flask():
    allowed_roots = set(sys.stdlib_module_names) | {"reportlab", "__future__"}
    for path in REPORTS_DIR.glob("*.py"):
        for name in _imports(path):
            ok = name.split(".")[0] in allowed_roots or name.startswith("esg_portal.reports")
            assert ok, f"{path.name} imports {name}"
