"""Reading an SDT v2.0 workbook: each Part's sheet into rows of ``Cell``, Part 1 by its labels,
the Part 2 checklist, the Part tables by their header rows and the totals below Part 4.

Only the cells present in the sheet's XML are visited, so a crafted sheet cannot make the
reader slow. Parts 1 and 2 are read from the columns ``writer`` writes (labels in C, values
in E; the checklist in B, D and F); the tables are found by their header rows, wherever
they are on the sheet.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile
from decimal import Decimal, InvalidOperation

from ....tabular._text import _, shorten
from ....tabular._xlsx import _formulas_without_value, _has_formula_tags
from . import writer as layout
from .findings import EMPTY, NEEDS_REVIEW, OK, Cell, _About, _Refused, _State, _Table, _Workbook, _norm, _text_cell
from .model import (
    ABOUT_LABELS, COMPANY_DATA_SECTOR, GFS_COLUMN, PART_ABOUT, PART_COMPANIES, PART_COMPANY_DATA,
    PART_GOVERNMENT_ENTITIES, PART_GOVERNMENT_REVENUES, PART_PROJECTS, REQUIREMENT_PREFIX, SHEET_ABOUT,
    SHEET_CHECKLIST, SHEET_COMPANY_DATA, SHEET_ENTITIES, SHEET_REVENUES, SHEETS, TABLE_COLUMNS, TITLE_COMPANIES,
    TITLE_GOVERNMENT_ENTITIES, TITLE_PROJECTS, TOTAL_PREFIX,
)

PART_LABELS = {
    PART_ABOUT: SHEET_ABOUT,
    PART_GOVERNMENT_ENTITIES: TITLE_GOVERNMENT_ENTITIES,
    PART_COMPANIES: TITLE_COMPANIES,
    PART_PROJECTS: TITLE_PROJECTS,
    PART_GOVERNMENT_REVENUES: SHEET_REVENUES,
    PART_COMPANY_DATA: SHEET_COMPANY_DATA,
}
TABLE_TITLES = (TITLE_GOVERNMENT_ENTITIES, TITLE_COMPANIES, TITLE_PROJECTS)


class _Sheets(_State):
    """The sheets of a workbook into ``about``, ``tables`` and ``workbook`` (checklist, totals, sectors)."""

    # ---- workbook ------------------------------------------------------------------------------------
    def read_workbook(self, name: str, data: bytes, archive: zipfile.ZipFile) -> None:
        from openpyxl import load_workbook

        try:
            with warnings.catch_warnings():
                # openpyxl warns about features it drops (data validation extensions…): not our concern
                warnings.simplefilter("ignore")
                workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many unrelated types for damaged files
            raise self.refuse(name, _("The workbook “%(name)s” is damaged and cannot be opened.",
                                      name=shorten(name))) from None
        try:
            sheet_names = list(workbook.sheetnames)
            parts_present = [s for s in SHEETS[1:6] if s in sheet_names]
            if not parts_present:
                raise self.refuse(name, _("“%(name)s” is not an EITI Summary Data Template v2.0: it has none of the "
                                          "sheets %(sheets)s.", name=shorten(name),
                                          sheets=", ".join(f"“{s}”" for s in SHEETS[1:6])))
            for sheet in SHEETS:
                if sheet not in sheet_names:
                    self.add(NEEDS_REVIEW if sheet in SHEETS[1:6] else OK, sheet, None, None, None, _(
                        "The workbook has no sheet “%(sheet)s”; that Part is read as empty.", sheet=sheet))
            self.workbook = _Workbook()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                grids = {sheet: self.grid(workbook[sheet], archive) for sheet in parts_present}
        except _Refused:
            raise
        except Exception:  # a damaged sheet may fail only while it is read
            raise self.refuse(name, _("The workbook “%(name)s” is damaged and cannot be opened.",
                                      name=shorten(name))) from None
        finally:
            workbook.close()
        if SHEET_ABOUT in grids:
            self.sheet_about(grids[SHEET_ABOUT])
        if SHEET_CHECKLIST in grids:
            self.sheet_checklist(grids[SHEET_CHECKLIST])
        if SHEET_ENTITIES in grids:
            self.sheet_tables(SHEET_ENTITIES, grids[SHEET_ENTITIES],
                              (PART_GOVERNMENT_ENTITIES, PART_COMPANIES, PART_PROJECTS))
        if SHEET_REVENUES in grids:
            self.sheet_tables(SHEET_REVENUES, grids[SHEET_REVENUES], (PART_GOVERNMENT_REVENUES,))
        if SHEET_COMPANY_DATA in grids:
            self.sheet_tables(SHEET_COMPANY_DATA, grids[SHEET_COMPANY_DATA], (PART_COMPANY_DATA,))

    def grid(self, ws, archive: zipfile.ZipFile) -> dict[int, dict[int, Cell]]:
        """The non-empty cells of a sheet: row → column → cell (1-based), bounded by the limits.

        Only the cells present in the sheet's XML are visited (openpyxl's ``iter_rows`` would pad
        every row to its widest), so a crafted sheet cannot make the reader slow.
        """
        path = getattr(ws, "_worksheet_path", None)
        no_result = (set(_formulas_without_value(archive, path))
                     if path in archive.namelist() and _has_formula_tags(archive, path) else set())
        grid: dict[int, dict[int, Cell]] = {}
        row_limit = 3 * self.limits.max_rows + 1000
        for count, (row_number, present) in enumerate(_sheet_rows(ws), start=1):
            if count > row_limit:
                raise self.refuse(ws.title, _("The sheet “%(sheet)s” has more than %(limit)s rows.",
                                              sheet=ws.title, limit=f"{row_limit:,}".replace(",", " ")))
            cells: dict[int, Cell] = {}
            for source in present:
                position = source.column
                cell = _workbook_cell(source)
                if cell.kind == "empty" and (row_number, position) in no_result:
                    cell = Cell("no_result")
                if cell.kind == "empty":
                    continue
                if position > self.limits.max_columns:
                    raise self.refuse(ws.title, _("The sheet “%(sheet)s” has values beyond column %(limit)s.",
                                                  sheet=ws.title, limit=self.limits.max_columns))
                cells[position] = cell
            if cells:
                grid[row_number] = cells
        return grid

    def sheet_about(self, grid: dict[int, dict[int, Cell]]) -> None:
        labels = {_norm(label): label for label in ABOUT_LABELS}
        about = _About(SHEET_ABOUT)
        for row in sorted(grid):
            label_cell = grid[row].get(layout.ABOUT_LABEL_COLUMN)
            if label_cell is None or label_cell.kind != "text":
                continue
            label = labels.get(_norm(label_cell.text))
            if label is None:
                continue
            if label in about.values:
                self.add(NEEDS_REVIEW, SHEET_ABOUT, row, label, None, _(
                    "The label “%(label)s” appears again on this row; the first one was read.", label=label))
                continue
            about.values[label] = (row, grid[row].get(layout.ABOUT_VALUE_COLUMN, EMPTY))
        if not about.values:
            self.add(NEEDS_REVIEW, SHEET_ABOUT, None, None, None, _(
                "No label of Part 1 was found in column C; Part 1 is read as empty."))
            return
        self.about = about

    def sheet_checklist(self, grid: dict[int, dict[int, Cell]]) -> None:
        assert self.workbook is not None
        self.workbook.has_checklist_sheet = True
        requirement = EMPTY
        for row in sorted(grid):
            if row < layout.CHECKLIST_FIRST_ROW:
                continue
            label = grid[row].get(layout.CHECKLIST_LABEL_COLUMN, EMPTY)
            answer = grid[row].get(layout.CHECKLIST_ANSWER_COLUMN, EMPTY)
            source = grid[row].get(layout.CHECKLIST_SOURCE_COLUMN, EMPTY)
            if (label.kind == "text" and label.text.strip().casefold().startswith(REQUIREMENT_PREFIX.casefold())
                    and answer.kind == "empty" and source.kind == "empty"):
                requirement = label
                continue
            if label.kind == answer.kind == source.kind == "empty":
                continue
            self.workbook.checklist.append((row, {"requirement": requirement, "label": label, "answer": answer,
                                                  "source": source}))

    def sheet_tables(self, sheet: str, grid: dict[int, dict[int, Cell]], parts: tuple[str, ...]) -> None:
        """Find each Part's header row by its column names and read the rows below it."""
        found: dict[str, tuple[int, dict[str, int]]] = {}
        for row in sorted(grid):
            texts: dict[str, int] = {}
            for column, cell in sorted(grid[row].items()):
                if cell.kind == "text":
                    texts.setdefault(_norm(cell.text), column)
            for part in parts:
                if part in found:
                    continue
                wanted = {c: _norm(c) for c in TABLE_COLUMNS[part]}
                if all(n in texts for n in wanted.values()):
                    positions = {c: texts[n] for c, n in wanted.items()}
                    if part == PART_COMPANY_DATA and _norm(COMPANY_DATA_SECTOR) in texts:
                        positions[COMPANY_DATA_SECTOR] = texts[_norm(COMPANY_DATA_SECTOR)]
                    found[part] = (row, positions)
        header_rows = sorted(row for row, _p in found.values())
        titles = {_norm(t) for t in TABLE_TITLES}
        for part in parts:
            if part not in found:
                self.add(NEEDS_REVIEW, sheet, None, None, None, _(
                    "The header row of “%(part)s” was not found on this sheet; that Part is read as empty.",
                    part=PART_LABELS[part]))
                continue
            if part in self.tables:
                raise self.refuse(sheet, _("“%(part)s” is given twice. Give each Part once.", part=PART_LABELS[part]))
            header_row, positions = found[part]
            end = min((r for r in header_rows if r > header_row), default=max(grid) + 1)
            table = _Table(part, sheet)
            for row in range(header_row + 1, end):
                cells = grid.get(row, {})
                record = {column: cells.get(position, EMPTY) for column, position in positions.items()}
                shown = [c for c in record.values() if c.kind != "empty"]
                if not shown:
                    continue
                if len(shown) == 1 and shown[0].kind == "text" and _norm(shown[0].text) in titles:
                    continue
                if part == PART_GOVERNMENT_REVENUES and record[GFS_COLUMN].kind == "empty" and any(
                        _is_total_label(c) for c in cells.values()):
                    self.totals_below(sheet, grid, row, end, positions)
                    break
                if len(table.rows) >= self.limits.max_rows:
                    raise self.refuse(sheet, _("“%(part)s” has more than %(limit)s rows, the most one Part may hold.",
                                               part=PART_LABELS[part],
                                               limit=f"{self.limits.max_rows:,}".replace(",", " ")))
                if part == PART_COMPANY_DATA and COMPANY_DATA_SECTOR in record:
                    self.note_sector(row, record.pop(COMPANY_DATA_SECTOR), record["Company"])
                table.rows.append((row, record))
            self.tables[part] = table

    def totals_below(self, sheet: str, grid: dict[int, dict[int, Cell]], first: int, end: int,
                     positions: dict[str, int]) -> None:
        assert self.workbook is not None
        value_column = positions["Revenue value"]
        for row in range(first, end):
            for column, cell in grid.get(row, {}).items():
                if _is_total_label(cell) and column != value_column:
                    self.workbook.totals.append((row, cell.text.strip(), grid[row].get(value_column, EMPTY)))
                    break


def _is_total_label(cell: Cell) -> bool:
    """``Total in KGS``, ``Total in USD`` … (the rows below Part 4)."""
    return cell.kind == "text" and re.fullmatch(_norm(TOTAL_PREFIX) + r" [a-z]{3}", _norm(cell.text)) is not None


def _sheet_rows(ws):
    """(row number, cells present in the XML) of a read-only worksheet, without openpyxl's padding."""
    from openpyxl.cell.read_only import ReadOnlyCell
    from openpyxl.worksheet._reader import WorkSheetParser

    workbook = ws.parent
    with ws._get_source() as source:
        parser = WorkSheetParser(source, ws._shared_strings, data_only=True, epoch=workbook.epoch,
                                 date_formats=workbook._date_formats, timedelta_formats=workbook._timedelta_formats)
        for row_number, cells in parser.parse():
            yield row_number, [ReadOnlyCell(ws, **cell) for cell in cells]


def _workbook_cell(source) -> Cell:
    value = getattr(source, "value", None)
    if value is None:
        return EMPTY
    if getattr(source, "data_type", None) == "e":
        return Cell("error", str(value))
    if isinstance(value, bool):
        return Cell("text", "TRUE" if value else "FALSE")
    if isinstance(value, (int, float)):
        try:
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:
            return Cell("text", repr(value))
        return Cell("number", repr(value), number)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return Cell("date", value.date().isoformat())
        return Cell("text", value.isoformat(sep=" ", timespec="seconds"))
    if isinstance(value, dt.date):
        return Cell("date", value.isoformat())
    if isinstance(value, (dt.time, dt.timedelta)):
        return Cell("text", str(value))
    return _text_cell(str(value))
