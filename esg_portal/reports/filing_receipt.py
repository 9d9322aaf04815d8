"""The filing receipt: a PDF record of one submitted disclosure version, built from plain data."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from reportlab.lib.units import mm
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Spacer

from esg_portal.reports.base import (
    CONTENT_WIDTH,
    MUTED_HEX,
    PageDecor,
    Styles,
    boxed,
    build_document,
    data_table,
    fit_column_widths,
    hex_paragraph,
    key_value_table,
    make_styles,
    para,
    section,
    text,
)

# ``data`` for build_filing_receipt: plain values, every text already translated and
# formatted for the reader (amounts are strings such as "1 234 567,89"; never floats):
#   company {name, inn, address, legal_form}; period {year, start_date, end_date};
#   version; status; submitted_at; sha256; attestation {name, position, text};
#   amendment_reason (or None);
#   lines [{revenue_stream, gfs_code, government_entity, project, amount, currency,
#           paid_in_kind (the yes/no label), in_kind, comment}];
#   totals_by_stream / totals_by_entity [{label, amount, currency}]; totals [{currency, amount}];
#   sections [{title, status_text}]; attachments [{name, sha256}];
#   esg_sections [{title, items: [{title, facts: [(label, value)], tables: [{label, headers, rows}]}]}]
#   (every ESG section with its items; a section without items shows the ``not_filed`` label);
#   optional: generated_at (formatted; default: now, UTC) and language (BCP 47 tag for the
#   PDF metadata; default "en").

#: Every label the receipt uses, in English. Callers pass translated labels with the same
#: keys; a key they leave out falls back to this English text.
LABELS_EN: dict[str, str] = {
    "portal_name": "ESG/EITI disclosure portal · Mining sector of the Kyrgyz Republic",
    "title": "Filing receipt",
    "company": "Company",
    "inn": "INN",
    "legal_form": "Legal form",
    "address": "Address",
    "period": "Reporting period",
    "version": "Version",
    "status": "Status",
    "submitted_at": "Submitted on",
    "amendment_reason": "Reason for amendment",
    "sha256": "SHA-256",
    "attestation": "Attestation",
    "attested_by": "Attested by",
    "payments": "Payments to government",
    "no_lines": "No payment lines were filed.",
    "col_number": "#",
    "col_revenue_stream": "Revenue stream",
    "col_gfs_code": "GFS code",
    "col_government_entity": "Government entity",
    "col_project": "Project",
    "col_amount": "Amount",
    "col_currency": "Currency",
    "col_in_kind": "In kind",
    "col_comment": "Comment",
    "totals_by_stream": "Totals by revenue stream",
    "totals_by_entity": "Totals by government entity",
    "totals": "Total by currency",
    "total": "Total",
    "sections": "Other sections",
    "col_section": "Section",
    "col_section_status": "Status",
    "attachments": "Attachments",
    "not_filed": "Nothing filed in this section.",
    "col_file": "File",
    "none": "None",
    "verification": "Verification",
    "verification_note": (
        "The SHA-256 identifies exactly the filed content; any change to the filing, however small, "
        "gives a different value. Compare it with the value shown on the portal for this version."
    ),
    "generated_at": "Generated",
}

# Payment table columns: #, stream (GFS code below it), entity (project below it), amount,
# currency, in kind, comment. Weights share the width; no column is narrower than its longest word.
_LINE_WEIGHTS = [0, 3, 3.5, 0, 0, 1.3, 2.2]
_LINE_NUMERIC = {0, 3}
_TOTAL_WEIGHTS = [1, 0, 0]


def _period_text(period: Mapping) -> str:
    """'2025 (01.01.2025 – 31.12.2025)', or whatever of it is known."""
    year = period.get("year")
    start, end = period.get("start_date"), period.get("end_date")
    span = f"{start} – {end}" if start and end else ""
    if year and span:
        return f"{year} ({span})"
    return str(year or span)


def _in_kind_text(line: Mapping) -> str:
    """The in-kind cell: the yes/no label, followed by the in-kind description if there is one."""
    flag, detail = line.get("paid_in_kind") or "", line.get("in_kind") or ""
    return f"{flag}: {detail}" if flag and detail else str(flag or detail)


def _summary(data: Mapping, lb: Mapping[str, str], st: Styles) -> list[Flowable]:
    """Title, company and filing facts, and the SHA-256."""
    company = data.get("company") or {}
    period = _period_text(data.get("period") or {})
    pairs: list[tuple[str, object]] = [
        (lb["company"], Paragraph(f"<b>{text(company.get('name'))}</b>", st.body)),
        (lb["inn"], company.get("inn")),
    ]
    if company.get("legal_form"):
        pairs.append((lb["legal_form"], company.get("legal_form")))
    if company.get("address"):
        pairs.append((lb["address"], company.get("address")))
    pairs += [
        (lb["period"], period),
        (lb["version"], data.get("version")),
        (lb["status"], data.get("status")),
        (lb["submitted_at"], data.get("submitted_at")),
    ]
    if data.get("amendment_reason"):
        pairs.append((lb["amendment_reason"], data.get("amendment_reason")))
    pairs.append((lb["sha256"], hex_paragraph(data.get("sha256") or "", st.mono)))
    subtitle = " · ".join(p for p in (text(company.get("name")), text(period)) if p)
    return [para(lb["title"], st.title), Paragraph(subtitle, st.subtitle), key_value_table(pairs, st)]


def _attestation(data: Mapping, lb: Mapping[str, str], st: Styles) -> list[Flowable]:
    """The attestation text and who gave it, in a shaded box."""
    att = data.get("attestation") or {}
    who = ", ".join(text(v) for v in (att.get("name"), att.get("position")) if v)
    inner: list[Flowable] = []
    if att.get("text"):
        inner += [para(att.get("text"), st.body), Spacer(0, 2 * mm)]
    inner.append(Paragraph(f"{text(lb['attested_by'])}: <b>{who}</b>", st.body))
    return section(lb["attestation"], [boxed(inner)], st, keep_together=True)


def _payments(data: Mapping, lb: Mapping[str, str], st: Styles) -> list[Flowable]:
    """The payment lines, one row each, header repeated on every page."""
    lines = data.get("lines") or []
    if not lines:
        return section(lb["payments"], [para(lb["no_lines"], st.body)], st, keep_together=True)
    header = [lb["col_number"],
              _two_line(lb["col_revenue_stream"], lb["col_gfs_code"], st.cell_head),
              _two_line(lb["col_government_entity"], lb["col_project"], st.cell_head),
              lb["col_amount"], lb["col_currency"], lb["col_in_kind"], lb["col_comment"]]
    rows = [[str(i),
             _two_line(ln.get("revenue_stream"), ln.get("gfs_code"), st.cell),
             _two_line(ln.get("government_entity"), ln.get("project"), st.cell),
             ln.get("amount"), ln.get("currency"), _in_kind_text(ln), ln.get("comment")]
            for i, ln in enumerate(lines, start=1)]
    widths = fit_column_widths(header, rows, _LINE_WEIGHTS, st)
    table = data_table(header, rows, widths, st, numeric=_LINE_NUMERIC)
    return section(lb["payments"], [table], st)


def _two_line(main: object, sub: object, style: ParagraphStyle) -> Paragraph:
    """A cell with a main text and a muted second line (GFS code under the stream, project under the entity)."""
    markup = text(main)
    if sub:
        markup += f"<br/><font color='{MUTED_HEX}'>{text(sub)}</font>"
    return Paragraph(markup, style)


def _totals(data: Mapping, lb: Mapping[str, str], st: Styles) -> list[Flowable]:
    """Totals per revenue stream, per government entity and overall per currency."""
    blocks = [(key, [lb[first_col], lb["col_amount"], lb["col_currency"]],
               [[t.get("label"), t.get("amount"), t.get("currency")] for t in data.get(key) or []])
              for key, first_col in (("totals_by_stream", "col_revenue_stream"),
                                     ("totals_by_entity", "col_government_entity"))]
    totals = [[lb["total"], t.get("amount"), t.get("currency")] for t in data.get("totals") or []]
    blocks.append(("totals", ["", lb["col_amount"], lb["col_currency"]], totals))
    # one set of widths for all three tables, so their amount columns line up
    widths = fit_column_widths(blocks[0][1], [r for _, _, rows in blocks for r in rows], _TOTAL_WEIGHTS, st)
    out: list[Flowable] = []
    for key, header, rows in blocks[:2]:
        if rows:
            table = data_table(header, rows, widths, st, numeric={1})
            out += section(lb[key], [table], st, keep_together=len(rows) <= 12)
    if totals:
        table = data_table(blocks[2][1], totals, widths, st, numeric={1}, total_rows=len(totals))
        out += section(lb["totals"], [table], st, keep_together=True)
    return out


def _sections(data: Mapping, lb: Mapping[str, str], st: Styles) -> list[Flowable]:
    """The other disclosure sections and what was filed for each (omitted when there are none)."""
    rows = [[s.get("title"), s.get("status_text")] for s in data.get("sections") or []]
    if not rows:
        return []
    table = data_table([lb["col_section"], lb["col_section_status"]], rows, [0.45 * CONTENT_WIDTH,
                                                                                0.55 * CONTENT_WIDTH], st)
    return section(lb["sections"], [table], st, keep_together=len(rows) <= 12)


def _esg_sections(data: Mapping, lb: Mapping[str, str], st: Styles) -> list[Flowable]:
    """Every ESG section as filed: each item's facts as label/value pairs, its repeated rows as tables."""
    out: list[Flowable] = []
    for esg in data.get("esg_sections") or []:
        body: list[Flowable] = []
        items = esg.get("items") or []
        if not items:
            body.append(para(lb["not_filed"], st.body))
        for item in items:
            if item.get("title"):
                body.append(Paragraph(f"<b>{text(item['title'])}</b>", st.body))
            if item.get("facts"):
                body.append(key_value_table(item["facts"], st, label_width=60 * mm))
            for table in item.get("tables") or []:
                body.append(Paragraph(text(table["label"]), st.small))
                rows = table.get("rows") or []
                if rows:
                    headers = table["headers"]
                    widths = [CONTENT_WIDTH / len(headers)] * len(headers)
                    cells = [[Paragraph(text(cell), st.cell) for cell in row] for row in rows]
                    body.append(data_table([Paragraph(text(h), st.cell_head) for h in headers], cells, widths, st))
                else:
                    body.append(para(lb["none"], st.small))
            body.append(Spacer(0, 3 * mm))
        out += section(esg.get("title") or "", body, st)
    return out


def _attachments(data: Mapping, lb: Mapping[str, str], st: Styles) -> list[Flowable]:
    """Attached files with their SHA-256 digests."""
    files = data.get("attachments") or []
    if not files:
        return section(lb["attachments"], [para(lb["none"], st.body)], st, keep_together=True)
    rows = [[f.get("name"), hex_paragraph(f.get("sha256") or "", st.cell_mono)] for f in files]
    table = data_table([lb["col_file"], lb["sha256"]], rows, [0.6 * CONTENT_WIDTH, 0.4 * CONTENT_WIDTH], st)
    return section(lb["attachments"], [table], st, keep_together=len(rows) <= 12)


def _verification(lb: Mapping[str, str], st: Styles) -> list[Flowable]:
    """The closing note on what the SHA-256 proves."""
    return section(lb["verification"], [boxed([para(lb["verification_note"], st.small)])], st, keep_together=True)


def build_filing_receipt(data: dict, labels: dict[str, str]) -> bytes:
    """Render the filing receipt for one submitted disclosure version (shape above) as PDF bytes."""
    lb = {**LABELS_EN, **{k: v for k, v in labels.items() if v is not None}}
    st = make_styles()
    story: list[Flowable] = []
    for part in (_summary(data, lb, st), _attestation(data, lb, st), _payments(data, lb, st),
                 _totals(data, lb, st), _sections(data, lb, st), _esg_sections(data, lb, st),
                 _attachments(data, lb, st),
                 _verification(lb, st)):
        story += part
    company = (data.get("company") or {}).get("name") or ""
    period = _period_text(data.get("period") or {})
    generated_at = data.get("generated_at") or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    sha = "".join(str(data.get("sha256") or "").split())
    footer = f"{lb['generated_at']}: {generated_at}"
    if sha:
        footer += f" · {lb['sha256']} {sha[:16]}…"
    decor = PageDecor(header_left=lb["portal_name"], header_right=lb["title"], footer_left=footer)
    return build_document(
        story,
        title=" — ".join(p for p in (lb["title"], company) if p),
        subject=" — ".join(p for p in (company, period, f"{lb['version']} {data.get('version', '')}".strip()) if p),
        decor=decor,
        lang=str(data.get("language") or "en"),
        keywords=["EITI", "ESG", lb["title"]],
    )
