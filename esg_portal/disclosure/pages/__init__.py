"""What the filer's filing pages show and do: services composed for one page, nothing rendered.

Each function takes the acting user and either assembles plain data for a template (the
filing of a period, one version, the difference between two versions, the receipt) or
performs one page action by calling the services (flush, never commit: the view commits
once). Codes are resolved to names and values formatted in the reader's language here, so
templates and the PDF builder only place text.
"""
from .filing import (FilingPage, add_line, amend, amendment_page, declare, discard, editable_line, editing_lookups,
                     filer_company, filing_page, line_form_data, replace_lines_from_file, require_section,
                     signatories, submission_page, submit, template_lookups, withdraw)
from .display import Names, profile_view
from .labels import (DECLARATION_LABELS, FIELD_LABELS, PAYMENT_DECLARATION_LABELS, RECEIPT_LABELS,
                     SECTION_LABELS)
from .receipt import receipt_data, receipt_filename, receipt_pdf
from .versions import DiffPage, DiffRow, VersionPage, diff_page, version_page

__all__ = [
    "DECLARATION_LABELS", "FIELD_LABELS", "PAYMENT_DECLARATION_LABELS", "RECEIPT_LABELS", "SECTION_LABELS",
    "DiffPage", "DiffRow", "FilingPage", "Names", "profile_view", "VersionPage", "add_line", "amend", "amendment_page", "declare", "discard",
    "diff_page", "editable_line", "editing_lookups", "filer_company", "filing_page", "line_form_data",
    "receipt_data", "receipt_filename", "receipt_pdf", "replace_lines_from_file", "require_section",
    "signatories", "submission_page", "submit", "template_lookups", "version_page", "withdraw",
]
