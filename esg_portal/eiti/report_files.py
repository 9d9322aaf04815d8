"""The reconciliation report of a run as files: XLSX and PDF for readers (in their language), CSV for machines.

Pure builders: a ``report_data.RunReport`` in, bytes out; labels are translated into the report's
locale (``flask_babel.force_locale``), so a file in any language can be built from any request.
Amounts are exact: ``Decimal`` cells with a 2-decimal number format in the XLSX, §2 interchange
text in the CSV, the reader's notation in the PDF; a float only ever sets a bar's length.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

import pandas as pd
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit import utcnow
from ..money import from_minor, rate_from_scaled
from ..reports.reconciliation import build_reconciliation_report
from ..tabular.safe import (Alignment, Font, PatternFill, csv_bytes, get_column_letter, new_workbook, put_cell,
                           put_rows, workbook_bytes)
from . import reconciliation as engine
from .labels import INCLUSION_LABELS, explanation_labels, status_label
from .report_data import (
    RunReport,
    amount_text,
    count_text,
    decimal_amount,
    decimal_fraction,
    non_reporting,
    ordered_lines,
    pct_text,
    period_text,
    rate_text,
    run_totals,
    summary_table,
    time_text,
)

#: the CSV's columns: the engine's line table under its machine names (INTERFACES.md §2 numbers)
CSV_COLUMNS = engine.LINE_COLUMNS
AMOUNT_COLUMNS = ["company_initial", "government_initial", "initial_gap", "company_adjustment",
                  "government_adjustment", "company_final", "government_final", "final_gap"]
PCT_COLUMNS = ["gap_pct", "pct_of_government_total"]
AMOUNT_FORMAT = "#,##0.00"
FRACTION_FORMAT = "0.00%"
RATE_FORMAT = "0.0000"

SHEETS = {"about": _l("About"), "lines": _l("Lines"), "stream": _l("By revenue stream"),
          "entity": _l("By government entity"), "company": _l("By company"), "non_reporting": _l("Did not report")}
HEADERS = {
    "position": _l("No."),
    "company": _l("Company"),
    "company_inn": _l("INN"),
    "revenue_stream": _l("Revenue stream"),
    "gfs_code": _l("GFS code"),
    "government_entity": _l("Government entity"),
    "project": _l("Project (licence)"),
    "code": _l("Code"),
    "company_initial": _l("Company, initial"),
    "government_initial": _l("Government, initial"),
    "initial_gap": _l("Initial difference"),
    "company_adjustment": _l("Company adjustments"),
    "government_adjustment": _l("Government adjustments"),
    "company_final": _l("Company, final"),
    "government_final": _l("Government, final"),
    "final_gap": _l("Final unreconciled difference"),
    "gap_pct": _l("Difference in percent"),
    "pct_of_government_total": _l("Percent of the government total"),
    "status": _l("Status"),
    "explanation": _l("Explanation"),
    "company_amount": _l("Reported by companies"),
    "government_amount": _l("Received by the government"),
    "gap": _l("Difference (government − company)"),
    "lines": _l("Lines"),
    "reason": _l("Reason"),
    "government_represented": _l("Received by the government from it"),
}
ORDER_NOTE = _l("Discrepancies come first, then lines reported by one side only, then the rest; within each "
                "group the largest unreconciled amount comes first (on a one-sided line, the whole amount of "
                "the side that reported).")
GAP_NOTE = _l("Differences are government − company, in the run's currency; a negative difference means the "
              "company reported more than the government received.")
#: summary key → the header of its key and of its name column
SUMMARY_NAME = {"stream": ("code", "revenue_stream"), "entity": ("code", "government_entity"),
                "company": ("company_inn", "company")}


def _h(key: str) -> str:
    return str(HEADERS[key])


def _explanation(codes: str) -> str:
    return "; ".join(explanation_labels(codes))


# --- CSV ----------------------------------------------------------------------------------------

def build_csv(report: RunReport) -> bytes:
    """The line table in the engine's order under machine column names, UTF-8 (no BOM), ``\\n`` line ends.

    Amounts as ``1234567.89`` (2 decimals, ``.`` mark, no grouping), percentages likewise, status
    and explanation as codes (the explanation's codes comma-separated); missing values are empty.
    """
    lines = report.lines
    columns = []
    for column in CSV_COLUMNS:
        if column in AMOUNT_COLUMNS:
            columns.append(engine.format_amounts(lines[column], report.currency))
        elif column in PCT_COLUMNS:
            columns.append(engine.format_pcts(lines[column]))
        else:
            columns.append(lines[column].astype(object).fillna(""))
    return csv_bytes(CSV_COLUMNS, zip(*(column.tolist() for column in columns)))


# --- XLSX ---------------------------------------------------------------------------------------

def _line_values(report: RunReport, lines: pd.DataFrame) -> Iterable[list[object]]:
    names, currency = report.names, report.currency
    statuses = {code: status_label(code) for code in engine.STATUSES}  # translated once, not once per line
    explanations: dict[str, str] = {}
    for position, row in zip(lines.index, lines.itertuples(index=False)):
        if row.explanation not in explanations:
            explanations[row.explanation] = _explanation(row.explanation)
        yield ([int(position), names.company(row.company_inn), row.company_inn, names.stream(row.revenue_stream),
                names.gfs(row.revenue_stream), names.entity(row.government_entity), row.project,
                statuses.get(row.status) or status_label(row.status)]
               + [decimal_amount(getattr(row, column), currency) for column in AMOUNT_COLUMNS]
               + [decimal_fraction(getattr(row, column)) for column in PCT_COLUMNS]
               + [explanations[row.explanation]])


LINE_SHEET_COLUMNS = (["position", "company", "company_inn", "revenue_stream", "gfs_code", "government_entity",
                       "project", "status"] + AMOUNT_COLUMNS + PCT_COLUMNS + ["explanation"])


def _summary_rows(report: RunReport, by: str) -> tuple[list[str], list[list[object]], list[object], list[str]]:
    """(header, rows, total row, number formats) of one summary sheet."""
    table = summary_table(report, by)
    key_header, name_header = SUMMARY_NAME[by]
    header = [_h(key_header), _h(name_header)] + ([_h("gfs_code")] if by == "stream" else [])
    header += [_h("company_amount"), _h("government_amount"), _h("gap"), _h("pct_of_government_total"),
               _h("lines")] + [status_label(s) for s in engine.STATUSES]
    lead = 3 if by == "stream" else 2
    formats = [""] * lead + [AMOUNT_FORMAT] * 3 + [FRACTION_FORMAT] + ["0"] * (1 + len(engine.STATUSES))
    rows = []
    for row in table.to_dict("records"):
        rows.append([row["key"], row["name"]] + ([row["gfs_code"]] if by == "stream" else [])
                    + [from_minor(int(row[c]), report.currency) for c in engine.SUMMARY_AMOUNTS]
                    + [decimal_fraction(row["pct_of_government_total"]), int(row["lines"])]
                    + [int(row[s]) for s in engine.STATUSES])
    totals = run_totals(report)
    total = ([_("Total"), ""] + ([""] if by == "stream" else [])
             + [from_minor(int(totals[c]), report.currency) for c in engine.SUMMARY_AMOUNTS]
             + [decimal_fraction(totals["gap_pct_bp"]), int(totals["lines"])]
             + [int(totals["counts"][s]) for s in engine.STATUSES])
    return header, rows, total, formats


def _put(ws, row: int, column: int, value: object, number_format: str = ""):
    """Write one cell; a Decimal goes into the file as its exact text.

    openpyxl would write it through ``"%.16g"``, i.e. through a float: 72255167.07 would be stored
    as 72255167.06999999. The cell stays numeric (type ``n``), only its text is exact.
    """
    return put_cell(ws, row, column, value, number_format if not isinstance(value, str) else "")


def _width(value: object, number_format: str) -> int:
    if isinstance(value, Decimal):
        return len(f"{value:,.2f}") + 2 if number_format != FRACTION_FORMAT else 9
    return max((len(part) for part in str("" if value is None else value).splitlines()), default=0) + 2


def _column_width(values: Iterable[object], number_format: str) -> int:
    """``_width`` of a column's widest cell: the widest decimal is the largest or the smallest one, so
    only those two and the longest text are measured (a 20,000-line sheet has 400,000 cells)."""
    numbers = [v for v in values if isinstance(v, Decimal)]
    others = [v for v in values if v is not None and not isinstance(v, Decimal)]
    candidates = ([max(numbers), min(numbers)] if numbers else [])
    candidates += [max(others, key=lambda v: len(str(v)))] if others else []
    texts = [v for v in others if isinstance(v, str) and "\n" in v]  # a line break: every line counts
    return max((_width(v, number_format) for v in candidates + texts), default=0)


def _write_table(ws, header: Sequence[str], rows: Iterable[Sequence[object]], formats: Sequence[str],
                 total: Sequence[object] | None = None, start_row: int = 1, freeze: bool = True) -> None:
    """A header row (bold, frozen), the rows with their number formats, an optional bold total row."""
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E6EDF5")
    widths = [len(str(h)) + 2 for h in header]
    for column, title in enumerate(header, start=1):
        cell = put_cell(ws, start_row, column, str(title))
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    values = list(rows) + ([total] if total else [])
    for column, cells in enumerate(zip(*values)):
        widths[column] = max(widths[column], _column_width(cells, formats[column]))
    put_rows(ws, start_row + 1, values, [f if f else "" for f in formats], bold_last=1 if total else 0)
    for column, width in enumerate(widths, start=1):
        letter = get_column_letter(column)
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, min(width, 60))
    if freeze:
        ws.freeze_panes = f"A{start_row + 1}"  # a coordinate: ws.cell() would add an empty cell above the rows


def sheet_title(text: str) -> str:
    """A valid sheet name: without []:*?/\\ and at most 31 characters."""
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in str(text)).strip()
    return clean[:31] or "Sheet"


def _about(ws, report: RunReport) -> None:
    """Run number, time, who, period, the rules used (rate, threshold, margins) and the run's totals."""
    rules, totals, currency = report.rules, run_totals(report), report.currency
    rate = rules.get("usd_rate_scaled")
    threshold = rules.get("threshold_minor")
    facts: list[tuple[str, object, str]] = [
        (_("Reconciliation report"), period_text(report), ""),
        (_("Run number"), report.number, "0"),
        (_("Run on (Bishkek time)"), time_text(report.run_at, report.locale), ""),
        (_("Run by"), report.run_by, ""),
        (_("Currency"), currency, ""),
        (_("USD rate: 1 USD = … KGS"), rate_from_scaled(rate) if rate else _("not set"), RATE_FORMAT),
        (_("Source of the rate"), rules.get("usd_rate_source") or "", ""),
        (_("Company threshold"), from_minor(threshold, currency) if threshold is not None else _("not set"),
         AMOUNT_FORMAT),
        (_h("company_amount"), from_minor(totals["company_amount"], currency), AMOUNT_FORMAT),
        (_h("government_amount"), from_minor(totals["government_amount"], currency), AMOUNT_FORMAT),
        (_h("gap"), from_minor(totals["gap"], currency), AMOUNT_FORMAT),
        (_("Difference as a share of the government amount"), decimal_fraction(totals["gap_pct_bp"]),
         FRACTION_FORMAT),
        (_("Coverage of government extractive revenue"), decimal_fraction(totals["coverage_bp"]), FRACTION_FORMAT),
        (_("Received under streams not included"), from_minor(totals["government_not_included"], currency),
         AMOUNT_FORMAT),
        (_h("lines"), int(totals["lines"]), "0"),
    ] + [(status_label(s), int(totals["counts"][s]), "0") for s in engine.STATUSES]
    facts.append((_("Order of the lines"), str(ORDER_NOTE), ""))
    facts.append((_("Differences"), str(GAP_NOTE), ""))
    facts.append((_("Generated"), time_text(utcnow(), report.locale), ""))
    bold = Font(bold=True)
    for r, (label, value, number_format) in enumerate(facts, start=1):
        put_cell(ws, r, 1, str(label)).font = bold
        cell = _put(ws, r, 2, value, number_format)
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
    ws.column_dimensions["A"].width = max(len(str(f[0])) for f in facts) + 2
    ws.column_dimensions["B"].width = 60
    streams = rules.get("streams") or []
    header = [_h("revenue_stream"), _h("gfs_code"), _("In the reconciliation"), _("Margin percentage"),
              _("Floor")]
    rows = [[report.names.stream(s["revenue_stream"]), report.names.gfs(s["revenue_stream"]),
             str(INCLUSION_LABELS.get(s.get("inclusion"), s.get("inclusion") or "")),
             decimal_fraction(s.get("margin_bp", 0)), from_minor(int(s.get("floor_minor") or 0), currency)]
            for s in streams]
    start = len(facts) + 2
    put_cell(ws, start, 1, _("Margins of variance")).font = bold
    _write_table(ws, header, rows, ["", "", "", FRACTION_FORMAT, AMOUNT_FORMAT], start_row=start + 1, freeze=False)


def build_xlsx(report: RunReport) -> bytes:
    """The workbook: About (run, rules, totals), Lines (in the report's order), one sheet per summary and the
    non-reporting companies; headers in the report's language, amounts as exact 2-decimal numbers."""
    with force_locale(report.locale):
        wb = new_workbook()
        about = wb.active
        about.title = sheet_title(SHEETS["about"])
        _about(about, report)
        ws = wb.create_sheet(sheet_title(SHEETS["lines"]))
        formats = [""] * 8 + [AMOUNT_FORMAT] * len(AMOUNT_COLUMNS) + [FRACTION_FORMAT] * len(PCT_COLUMNS) + [""]
        _write_table(ws, [_h(c) for c in LINE_SHEET_COLUMNS], _line_values(report, ordered_lines(report.lines)),
                     formats)
        for by in ("stream", "entity", "company"):
            header, rows, total, formats = _summary_rows(report, by)
            _write_table(wb.create_sheet(sheet_title(SHEETS[by])), header, rows, formats, total)
        silent = non_reporting(report)
        header = [_h("company_inn"), _h("company"), _h("status"), _h("reason"), _h("government_represented"),
                  _h("lines")]
        rows = [[row["company_inn"], row["name"], status_label(row["status"]), row["reason"],
                 from_minor(int(row["government_amount"]), report.currency), int(row["lines"])]
                for row in silent.to_dict("records")]
        _write_table(wb.create_sheet(sheet_title(SHEETS["non_reporting"])), header, rows,
                     ["", "", "", "", AMOUNT_FORMAT, "0"])
        return workbook_bytes(wb)


# --- PDF ----------------------------------------------------------------------------------------

def _pdf_lines(report: RunReport) -> dict:
    """The line table of the PDF: figures stacked where a column would otherwise not fit the page."""
    loc, cur, names = report.locale, report.currency, report.names
    rows = []
    lines = ordered_lines(report.lines)
    statuses = {code: [status_label(code)] for code in engine.STATUSES}  # translated once, not once per line
    explanations: dict[str, list[str]] = {}
    for position, row in zip(lines.index, lines.itertuples(index=False)):
        if row.explanation not in explanations:
            explanations[row.explanation] = explanation_labels(row.explanation)
        rows.append([
            str(position),
            [names.company(row.company_inn), row.company_inn],
            [names.stream(row.revenue_stream), names.gfs(row.revenue_stream)],
            [names.entity(row.government_entity), row.project],
            [amount_text(row.company_initial, cur, loc), _signed(row.company_adjustment, cur, loc)],
            [amount_text(row.government_initial, cur, loc), _signed(row.government_adjustment, cur, loc)],
            amount_text(row.company_final, cur, loc), amount_text(row.government_final, cur, loc),
            amount_text(row.final_gap, cur, loc), pct_text(row.gap_pct, loc),
            pct_text(row.pct_of_government_total, loc),
            (statuses.get(row.status) or [status_label(row.status)]) + explanations[row.explanation],
        ])
    header = [_h("position"), [_h("company"), _h("company_inn")], [_h("revenue_stream"), _h("gfs_code")],
              [_h("government_entity"), _h("project")], [_h("company_initial"), _("adjustments")],
              [_h("government_initial"), _("adjustments")], _h("company_final"), _h("government_final"),
              _h("final_gap"), _h("gap_pct"), _h("pct_of_government_total"), [_h("status"), _h("explanation")]]
    return {"title": _("Line table"), "note": f"{ORDER_NOTE} {GAP_NOTE}", "header": [_head(h) for h in header],
            "rows": rows, "numeric": [0, 4, 5, 6, 7, 8, 9, 10], "weights": [0, 2.2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 2],
            "empty": _("The run has no lines."), "compact": True}


def _head(value: object) -> str:
    """A header cell: stacked headers become one text ("Company, initial / adjustments")."""
    return " / ".join(value) if isinstance(value, list) else str(value)


def _signed(minor: object, currency: str, locale: str) -> str:
    """An adjustment with its sign ("+1 000,00", "-500,00"); "" when there is none."""
    figure = amount_text(minor, currency, locale)
    return f"+{figure}" if figure and not figure.startswith("-") else figure


def _pdf_summary(report: RunReport, by: str, title: str) -> dict:
    loc, cur = report.locale, report.currency
    table = summary_table(report, by)
    name_header = _h(SUMMARY_NAME[by][1])
    rows = [[[r["name"], r["gfs_code"] if by == "stream" else r["key"]],
             amount_text(r["company_amount"], cur, loc), amount_text(r["government_amount"], cur, loc),
             amount_text(r["gap"], cur, loc), pct_text(r["pct_of_government_total"], loc),
             count_text(r["lines"], loc), count_text(r["reconciled"], loc), count_text(r["discrepancy"], loc),
             count_text(r["company_only"] + r["government_only"], loc)] for r in table.to_dict("records")]
    totals = run_totals(report)
    counts = totals["counts"]
    total = [_("Total"), amount_text(totals["company_amount"], cur, loc),
             amount_text(totals["government_amount"], cur, loc), amount_text(totals["gap"], cur, loc),
             pct_text(totals["gap_pct_bp"], loc), count_text(totals["lines"], loc),
             count_text(counts["reconciled"], loc), count_text(counts["discrepancy"], loc),
             count_text(counts["company_only"] + counts["government_only"], loc)]
    header = [name_header, _h("company_amount"), _h("government_amount"), _h("gap"), _h("pct_of_government_total"),
              _h("lines"), status_label("reconciled"), status_label("discrepancy"), _("Reported by one side only")]
    return {"title": title, "header": header, "rows": rows, "total": total if rows else None,
            "numeric": list(range(1, 9)), "weights": [3, 0, 0, 0, 0, 0, 0, 0, 0], "empty": _("The run has no lines.")}


def pdf_data(report: RunReport) -> tuple[dict, dict]:
    """The data and labels of ``reports.build_reconciliation_report`` for a run, in the report's language."""
    with force_locale(report.locale):
        return _pdf_data(report)


def _pdf_data(report: RunReport) -> tuple[dict, dict]:
    loc, cur, rules = report.locale, report.currency, report.rules
    totals = run_totals(report)
    rate = rules.get("usd_rate_scaled")
    threshold = rules.get("threshold_minor")
    subtitle = _("%(period)s · run %(number)s", period=period_text(report), number=report.number)
    facts = [
        [_("Reporting period"), period_text(report)], [_("Run number"), report.number],
        [_("Run on (Bishkek time)"), time_text(report.run_at, loc)], [_("Run by"), report.run_by],
        [_("Currency"), cur],
        [_("USD rate: 1 USD = … KGS"), (rate_text(rate, loc) + (f" ({rules['usd_rate_source']})"
                                                               if rules.get("usd_rate_source") else ""))
         if rate else _("not set")],
        [_("Company threshold"), amount_text(threshold, cur, loc) if threshold is not None else _("not set")],
    ]
    summary = [
        [_h("company_amount"), amount_text(totals["company_amount"], cur, loc)],
        [_h("government_amount"), amount_text(totals["government_amount"], cur, loc)],
        [_h("gap"), amount_text(totals["gap"], cur, loc)],
        [_("Difference as a share of the government amount"), pct_text(totals["gap_pct_bp"], loc)],
        [_("Coverage of government extractive revenue"), pct_text(totals["coverage_bp"], loc)],
    ]
    if totals["government_not_included"]:
        summary.append([_("Received under streams not included"),
                        amount_text(totals["government_not_included"], cur, loc)])
    summary.append([_h("lines"), count_text(totals["lines"], loc)])
    summary += [[status_label(s), count_text(totals["counts"][s], loc)] for s in engine.STATUSES
                if totals["counts"][s]]
    by_stream = summary_table(report, "stream")
    chart = {"title": _("Final difference by revenue stream"), "note": str(GAP_NOTE),
             "bars": [{"label": r["name"], "value": from_minor(int(r["gap"]), cur),
                       "text": amount_text(r["gap"], cur, loc)} for r in by_stream.to_dict("records")]}
    silent = non_reporting(report)
    margins = [[[report.names.stream(s["revenue_stream"]), report.names.gfs(s["revenue_stream"])],
                str(INCLUSION_LABELS.get(s.get("inclusion"), s.get("inclusion") or "")),
                pct_text(s.get("margin_bp", 0), loc), amount_text(s.get("floor_minor") or 0, cur, loc)]
               for s in rules.get("streams") or []]
    sections = [
        _pdf_summary(report, "stream", _("Summary by revenue stream")),
        _pdf_summary(report, "entity", _("Summary by government entity")),
        _pdf_summary(report, "company", _("Summary by company")),
        {"title": _("In-scope companies that did not report"),
         "note": _("The government amount is what the government reported receiving from each company."),
         "header": [_h("company"), _h("status"), _h("reason"), _h("government_represented"), _h("lines")],
         "rows": [[[r["name"], r["company_inn"]], status_label(r["status"]), r["reason"],
                   amount_text(r["government_amount"], cur, loc), count_text(r["lines"], loc)]
                  for r in silent.to_dict("records")],
         "numeric": [3, 4], "weights": [3, 1.5, 3, 0, 0], "empty": _("Every in-scope company reported.")},
        _pdf_lines(report),
        {"title": _("Margins of variance"), "note": _("A difference is investigated only when it exceeds both the "
                                                      "percentage of the government amount and the floor."),
         "header": [_h("revenue_stream"), _("In the reconciliation"), _("Margin percentage"), _("Floor")],
         "rows": margins, "numeric": [2, 3], "weights": [4, 1.5, 0, 0], "empty": _("No margins were recorded.")},
    ]
    data = {"title": _("Reconciliation report"), "subtitle": subtitle, "facts": facts,
            "totals_title": _("Summary"), "totals": summary, "chart": chart, "sections": sections,
            "generated_at": time_text(utcnow(), loc), "language": loc}
    labels = {"portal_name": _("ESG/EITI disclosure portal · Mining sector of the Kyrgyz Republic"),
              "title": _("Reconciliation report"), "generated_at": _("Generated")}
    return data, labels


def build_pdf(report: RunReport) -> bytes:
    """The report as a landscape PDF in the report's language."""
    return build_reconciliation_report(*pdf_data(report))
