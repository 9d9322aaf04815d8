"""Assembling an SDT import: the ``Parts`` from what was read, and the checks across the Parts.

One country and one period (another country or year blocks), the reporting currency,
rows without their name, duplicate rows (blocked, never appended twice), names that Part 3
or Part 4 does not list, and the totals and percentages that the files state against
what their rows give. Apart from the value checks (``cells``) because these judge the
Parts as a whole.
"""
from __future__ import annotations

import re

from ....tabular._text import _, shorten
from .cells import _decimal_mark
from .findings import BLOCKED, COUNTRY, COUNTRY_NAMES, CURRENCY, EMPTY, ISO3, NEEDS_REVIEW, OK, Cell, _State
from .model import (
    ABOUT_LABELS, CHECKLIST_KEYS, COMPANY_DATA_SECTOR, COMPANY_TOTAL, COUNT_LABELS, DATE_LABELS, ENTITY_TOTAL,
    GFS_COLUMN, IDENTIFIER_COLUMNS, INCLUSION_VALUES, LABEL_COUNTRY, LABEL_END, LABEL_ISO3, LABEL_RATE,
    LABEL_REPORTING_CURRENCY, LABEL_START, MONEY_COLUMNS, NOT_AVAILABLE, PART_COMPANIES, PART_COMPANY_DATA,
    PART_GOVERNMENT_ENTITIES, PART_GOVERNMENT_REVENUES, PERCENT_LABELS, QUANTITY_COLUMNS, ROW_KEYS, ROW_NAMES,
    SENTINELS, SHEET_ABOUT, SHEET_CHECKLIST, SHEET_COMPANY_DATA, SHEET_REVENUES, TABLE_COLUMNS, TOTAL_PREFIX,
    Parts,
)
from .values import (
    company_total, complete, entity_total, inclusion_ratios, money_text, number_text, percent_text, plain_decimal,
    revenue_total, to_usd, usable_rate,
)


class _Assemble(_State):
    """The Parts from ``about``, ``tables`` and ``workbook``, with the checks across them."""

    # ---- Parts ---------------------------------------------------------------------------------------
    def build(self) -> Parts | None:
        start, end = self.period()
        about = self.build_about()
        tables = {part: self.build_table(part) for part in TABLE_COLUMNS}
        checklist = self.build_checklist()
        currency = self.currency(about, tables)
        if self.blocked:
            return None
        if self.about is None:
            # Part 1 from the identity columns of the Part CSVs
            about = {label: None for label in ABOUT_LABELS}
            about[LABEL_COUNTRY] = self.first_identity("country")
            about[LABEL_ISO3] = self.first_identity("iso")
        about[LABEL_START], about[LABEL_END] = start, end
        parts = Parts(year=self.year, start_date=start, end_date=end, country=COUNTRY, iso3=ISO3, currency=currency,
                      about=about, checklist=checklist, **tables)
        self.cross_checks(parts)
        try:
            return complete(parts)
        except ValueError as error:  # cannot happen with the dates set above; kept as a guard
            self.add(BLOCKED, None, None, None, None, str(error))
            return None

    def first_identity(self, key: str) -> str | None:
        for sheet, row, column, cell in self.identity[key]:
            value = self.text(sheet, row, column, cell)
            if value is not None:
                return value
        return None

    def build_about(self) -> dict[str, str | None]:
        about: dict[str, str | None] = {label: None for label in ABOUT_LABELS}
        if self.about is None:
            return about
        sheet = self.about.sheet
        for label in ABOUT_LABELS:
            row, cell = self.about.values.get(label, (None, EMPTY))
            if row is None:
                continue
            if label in (LABEL_COUNTRY, LABEL_ISO3):
                about[label] = self.text(sheet, row, label, cell)
            elif label in (LABEL_START, LABEL_END):
                continue  # read with the period
            elif label in DATE_LABELS:
                value, is_date = self.date(sheet, row, label, cell)
                if not is_date:
                    self.add(NEEDS_REVIEW, sheet, row, label, value, _(
                        "“%(value)s” is not a date; it was kept as written.", value=shorten(str(value))))
                about[label] = value
            elif label in PERCENT_LABELS:
                if cell.kind == "number" and cell.number is not None:
                    about[label] = percent_text(float(cell.number))
                else:
                    about[label] = self.text(sheet, row, label, cell)
            elif label == LABEL_RATE:
                about[label] = self.rate(sheet, row, cell)
            elif label in COUNT_LABELS:
                value = self.number(sheet, row, label, cell, money=False)
                if value is not None and value not in SENTINELS and not re.fullmatch(r"[0-9]+", value):
                    self.add(NEEDS_REVIEW, sheet, row, label, value, _(
                        "“%(value)s” is not a whole number of entities; it was kept as written.",
                        value=shorten(value)))
                about[label] = value
            else:
                about[label] = self.text(sheet, row, label, cell)
        return about


    def build_checklist(self) -> list[dict[str, str | None]]:
        if self.workbook is None:
            return []
        rows = []
        for row, cells in self.workbook.checklist:
            item = {key: self.text(SHEET_CHECKLIST, row, key, cells[key]) for key in CHECKLIST_KEYS}
            answer = item["answer"]
            if answer is not None:
                canonical = next((v for v in INCLUSION_VALUES if v.casefold() == answer.casefold()), None)
                if canonical is None:
                    self.add(OK, SHEET_CHECKLIST, row, "answer", answer, _(
                        "“%(value)s” is not one of the inclusion values (%(values)s); it is not counted in the Part 1 "
                        "percentages.", value=shorten(answer), values=", ".join(INCLUSION_VALUES)))
                else:
                    item["answer"] = canonical
            rows.append(item)
        return rows

    def build_table(self, part: str) -> list[dict[str, str | None]]:
        table = self.tables.get(part)
        if table is None:
            return []
        sheet = table.sheet
        money = MONEY_COLUMNS.get(part, ())
        quantities = QUANTITY_COLUMNS.get(part, ())
        identifiers = IDENTIFIER_COLUMNS.get(part, ())
        language = _decimal_mark([cells[c].text for _r, cells in table.rows for c in money + quantities
                                  if c in cells and cells[c].kind == "text"])
        seen: dict[tuple, int] = {}
        rows = []
        for row, cells in table.rows:
            record: dict[str, str | None] = {}
            for column in TABLE_COLUMNS[part]:
                cell = cells.get(column, EMPTY)
                if column in money:
                    record[column] = self.number(sheet, row, column, cell, money=True, language=language)
                elif column in quantities:
                    record[column] = self.number(sheet, row, column, cell, money=False, language=language)
                elif column == GFS_COLUMN:
                    record[column] = self.gfs(sheet, row, cell)
                else:
                    record[column] = self.text(sheet, row, column, cell, identifier=column in identifiers)
            name = ROW_NAMES[part]
            if record[name] is None and part != PART_GOVERNMENT_REVENUES:
                self.add(BLOCKED, sheet, row, name, None, _(
                    "The row has no “%(column)s”; a row cannot be stored without it.", column=name))
            elif record[name] is None:
                self.add(NEEDS_REVIEW, sheet, row, name, None, _("The revenue stream has no name."))
            key = tuple(record[c] for c in ROW_KEYS[part])
            if key in seen:
                self.add(BLOCKED, sheet, row, ROW_KEYS[part][0], record[ROW_KEYS[part][0]], _(
                    "This row repeats row %(row)s (same %(columns)s). Remove the duplicate or tell the rows apart; "
                    "rows are never added twice.", row=seen[key], columns=", ".join(f"“{c}”" for c in ROW_KEYS[part])))
            else:
                seen[key] = row
            rows.append(record)
        return rows


    def currency(self, about: dict[str, str | None], tables: dict[str, list[dict[str, str | None]]]) -> str:
        currency = about.get(LABEL_REPORTING_CURRENCY)
        where: tuple[str | None, int | None, str] = (None, None, LABEL_REPORTING_CURRENCY)
        if currency is None:
            for part, column in ((PART_GOVERNMENT_REVENUES, "Currency"), (PART_COMPANY_DATA, "Reporting currency")):
                for index, row in enumerate(tables[part]):
                    if row[column]:
                        currency = row[column]
                        table = self.tables[part]
                        where = (table.sheet, table.rows[index][0], column)
                        break
                if currency:
                    break
        elif self.about is not None:
            where = (self.about.sheet, self.about.values[LABEL_REPORTING_CURRENCY][0], LABEL_REPORTING_CURRENCY)
        currency = (currency or CURRENCY).strip()
        if currency != CURRENCY:
            self.add(NEEDS_REVIEW, where[0], where[1], where[2], currency, _(
                "The data is in %(currency)s, not in %(expected)s, the portal's reporting currency. Check that this "
                "is the data you mean to import.", currency=currency, expected=CURRENCY))
        for part, column, grade in ((PART_GOVERNMENT_REVENUES, "Currency", NEEDS_REVIEW),
                                    (PART_COMPANY_DATA, "Reporting currency", OK)):
            table = self.tables.get(part)
            for index, row in enumerate(tables[part]):
                if row[column] and row[column] != currency:
                    self.add(grade, table.sheet if table else None, table.rows[index][0] if table else None, column,
                             row[column], _("This amount is in %(other)s, not in %(currency)s: totals in %(currency)s "
                                            "are not available.", other=row[column], currency=currency))
        return currency

    def period(self) -> tuple[str, str]:
        """Check country and period; the (start, end) dates of the period."""
        if self.about is not None:
            for key, label in (("country", LABEL_COUNTRY), ("iso", LABEL_ISO3), ("start", LABEL_START),
                               ("end", LABEL_END)):
                row, cell = self.about.values.get(label, (None, EMPTY))
                if row is not None:
                    self.identity[key].append((self.about.sheet, row, label, cell))
        for key, seen in self.identity.items():
            # every row of a CSV repeats the same few values: judge each distinct one once
            distinct: dict[tuple[str, str, str, str], tuple[str, int, str, Cell]] = {}
            for sheet, row, column, cell in seen:
                distinct.setdefault((sheet, column, cell.kind, cell.text), (sheet, row, column, cell))
            self.identity[key] = list(distinct.values())
        isos = [(s, r, c, self.text(s, r, c, cell)) for s, r, c, cell in self.identity["iso"]]
        kgz_sheets = {s for s, _r, _c, value in isos if value and value.upper() == ISO3}
        for sheet, row, column, value in isos:
            if value and value.upper() != ISO3:
                self.once(("iso", sheet, value), BLOCKED, sheet, row, column, value, _(
                    "This file is about %(value)s, not about the Kyrgyz Republic (%(iso)s). Only the Kyrgyz "
                    "Republic's data can be imported.", value=value, iso=ISO3))
        for sheet, row, column, cell in self.identity["country"]:
            value = self.text(sheet, row, column, cell)
            if value and value.casefold() not in COUNTRY_NAMES:
                self.once(("country", sheet, value), NEEDS_REVIEW if sheet in kgz_sheets else BLOCKED, sheet, row,
                          column, value, _("This file is about “%(value)s”, not about the Kyrgyz Republic. Only the "
                                           "Kyrgyz Republic's data can be imported.", value=shorten(value)))
        if not self.identity["iso"] and not self.identity["country"] and (self.tables or self.about):
            self.add(NEEDS_REVIEW, None, None, None, None, _(
                "The files do not say which country they describe. Check that this is the Kyrgyz Republic's data."))
        for sheet, row, column, cell in self.identity["year"]:
            value = self.number(sheet, row, column, cell, money=False) if cell.kind != "empty" else None
            if value is not None and value != str(self.year):
                self.once(("year", sheet, value), BLOCKED, sheet, row, column, value, _(
                    "This file is for the year %(value)s, not for %(year)s.", value=value, year=self.year))
        dates: dict[str, dict[str, tuple[str, int, str]]] = {"start": {}, "end": {}}
        for key in ("start", "end"):
            for sheet, row, column, cell in self.identity[key]:
                value, is_date = self.date(sheet, row, column, cell)
                if value is None:
                    continue
                if not is_date:
                    self.once((key, sheet, value), BLOCKED, sheet, row, column, value, _(
                        "“%(value)s” is not a date. Write dates like 2025-01-01.", value=shorten(str(value))))
                    continue
                dates[key].setdefault(value, (sheet, row, column))
        for key in ("start", "end"):
            if len(dates[key]) > 1:
                values = sorted(dates[key])
                sheet, row, column = dates[key][values[1]]
                self.add(BLOCKED, sheet, row, column, values[1], _(
                    "The files hold more than one period (%(dates)s). Import one period at a time.",
                    dates=", ".join(values)))
        start = min(dates["start"], default=None)
        end = min(dates["end"], default=None)
        if end is not None and int(end[:4]) != self.year:
            sheet, row, column = dates["end"][end]
            self.once(("end-year", end), BLOCKED, sheet, row, column, end, _(
                "The period ends on %(date)s, so it is the fiscal year %(found)s, not %(year)s.", date=end,
                found=end[:4], year=self.year))
        if start is not None and end is not None and start > end:
            sheet, row, column = dates["start"][start]
            self.add(BLOCKED, sheet, row, column, start, _("The period starts after it ends (%(start)s – %(end)s).",
                                                           start=start, end=end))
        if start is None or end is None:
            self.add(NEEDS_REVIEW, None, None, None, None, _(
                "The files do not give the dates of the period; the calendar year %(year)s was assumed.",
                year=self.year))
        return start or f"{self.year}-01-01", end or f"{self.year}-12-31"

    def cross_checks(self, parts: Parts) -> None:
        """Consistency of the Parts with each other and with the totals the files state."""
        def where(part: str, index: int) -> tuple[str, int]:
            table = self.tables[part]
            return table.sheet, table.rows[index][0]

        companies = {row["Full company name"] for row in parts.companies}
        if parts.companies:
            for index, row in enumerate(parts.company_data):
                if row["Company"] is not None and row["Company"] not in companies:
                    sheet, number = where(PART_COMPANY_DATA, index)
                    self.once(("company", row["Company"]), NEEDS_REVIEW, sheet, number, "Company", row["Company"], _(
                        "This company is not in Part 3's list of reporting companies."))
        entities = {row["Full name of agency"] for row in parts.government_entities}
        if parts.government_entities:
            for index, row in enumerate(parts.government_revenues):
                if row["Government entity"] is not None and row["Government entity"] not in entities:
                    sheet, number = where(PART_GOVERNMENT_REVENUES, index)
                    self.once(("entity", row["Government entity"]), OK, sheet, number, "Government entity",
                              row["Government entity"], _("This government entity is not in Part 3's list."))
        streams = {row["Revenue stream name"] for row in parts.government_revenues}
        if parts.government_revenues:
            for index, row in enumerate(parts.company_data):
                if row["Revenue stream name"] is not None and row["Revenue stream name"] not in streams:
                    sheet, number = where(PART_COMPANY_DATA, index)
                    self.once(("stream", row["Revenue stream name"]), OK, sheet, number, "Revenue stream name",
                              row["Revenue stream name"], _("This revenue stream is not in Part 4."))
        for part, column, name_column, total_of in (
                (PART_GOVERNMENT_ENTITIES, ENTITY_TOTAL, "Full name of agency", entity_total),
                (PART_COMPANIES, COMPANY_TOTAL, "Full company name", company_total)):
            for index, row in enumerate(parts.rows(part)):
                given = plain_decimal(row[column])
                total = total_of(parts, row[name_column])
                if given is not None and total is not None and given != total:
                    sheet, number = where(part, index)
                    self.add(NEEDS_REVIEW, sheet, number, column, row[column], _(
                        "The total %(given)s differs from the sum of the rows, %(sum)s.", given=row[column],
                        sum=money_text(total)))
        if self.workbook is not None:
            self.check_totals(parts)
            self.check_percentages(parts)
            self.check_sectors(parts)

    def check_totals(self, parts: Parts) -> None:
        assert self.workbook is not None
        total = revenue_total(parts)
        rate = usable_rate(parts.about.get(LABEL_RATE))
        usd = to_usd(total, rate) if total is not None and rate is not None else None
        for row, label, cell in self.workbook.totals:
            currency = label[len(TOTAL_PREFIX):].strip()
            expected = total if currency == parts.currency else usd if currency == "USD" else None
            if currency not in (parts.currency, "USD"):
                continue
            value = self.number(SHEET_REVENUES, row, label, cell, money=True) if cell.kind != "empty" else None
            stated = plain_decimal(value)
            if stated is None and expected is None:
                continue
            if stated != expected:
                self.add(NEEDS_REVIEW, SHEET_REVENUES, row, label, value, _(
                    "“%(label)s” is %(value)s, but the rows give %(expected)s. The totals are recomputed from the "
                    "rows.", label=label, value=value or "—",
                    expected=NOT_AVAILABLE if expected is None else money_text(expected)))

    def check_percentages(self, parts: Parts) -> None:
        assert self.workbook is not None
        if self.about is None or not self.workbook.has_checklist_sheet:
            return
        ratios = inclusion_ratios(parts)
        if ratios is None:
            return
        for label in PERCENT_LABELS:
            row, _cell = self.about.values.get(label, (None, EMPTY))
            value = parts.about.get(label)
            if value is not None and value != percent_text(ratios[label]):
                self.add(NEEDS_REVIEW, SHEET_ABOUT, row, label, value, _(
                    "Part 1 gives %(value)s, but the answers of Part 2 give %(expected)s.", value=value,
                    expected=percent_text(ratios[label])))

    def check_sectors(self, parts: Parts) -> None:
        assert self.workbook is not None
        sectors: dict[str, str | None] = {}
        for company in parts.companies:
            sectors.setdefault(company["Full company name"] or "", company["Sector"])
        for row, sector, company in self.workbook.sectors:
            given = sector.text.strip() if sector.kind == "text" else (
                number_text(sector.number) if sector.number is not None else None)
            name = company.text.strip() if company.kind == "text" else None
            if given and name and given != sectors.get(name):
                self.once(("sector",), OK, SHEET_COMPANY_DATA, row, COMPANY_DATA_SECTOR, given, _(
                    "Part 5's Sector column is not read: the template fills it with the wrong Part 3 column. Each "
                    "company's Sector is taken from Part 3."))
                return
