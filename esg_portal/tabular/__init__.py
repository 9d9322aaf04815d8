"""Tabular uploads shared by payments, receipts and ESG sections: reading, numbers, errors, templates."""
from __future__ import annotations

from .errors import RowError, TooLarge, UploadRejected
from .numbers import NumberError, number_error_message, parse_decimal
from .reader import Table, check_columns, normalise_header, read_checked_table, read_table
from .writer import csv_template, xlsx_template

__all__ = [
    "NumberError", "RowError", "Table", "TooLarge", "UploadRejected", "check_columns", "csv_template",
    "normalise_header", "number_error_message", "parse_decimal", "read_checked_table", "read_table", "xlsx_template",
]
