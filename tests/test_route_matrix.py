"""The route × role matrix: every route of ``app.url_map``, every method, every kind of actor.

``ROUTES`` below holds one entry per endpoint. An entry lists the *targets* of the route (which
records its URL arguments name) and, per method, the answer expected by each actor, in the order
of ``ACTORS``. The cases are generated from the URL map × methods × targets × actors, so a route
added without an entry, an entry for a route that is gone, or a method that the entry does not
state, fails ``test_every_route_has_an_entry`` with what to add.

The data are the demo data (``esg_portal.demo``) loaded once for this module, with the 2024
period reconciled and published, and markers planted in what must stay unpublished. Company A is
Demo Kutessay (filer1, its signatory, and filer1-assistant, who is not), company B is Demo Aktash
(filer2); the State Tax Service (STS) and the State Customs Service (SCS) are the two agencies.
Targets name records of company A and of the STS: "another company's filer" (filer2) and
"another agency's officer" (the SCS officer) are actors of their own. A target marked
``mirror=True`` is also run pointing at company B's / the SCS's records, with the actors swapped
(filer1 on B's records answers what filer2 answers on A's, and so on: see ``MIRROR``).

Each case sends one request with the actor's session (pages) or API token (``/api/``), a valid
CSRF token and an empty body (a minimal one, ``body=``, where a form is checked before the
permission): what is tested is the permission answer, not the action. Every case asserts: the
answer's class, never a 500, no planted marker the actor must not see (``MARKERS``; HTML, JSON,
CSV and the XML inside XLSX are searched, PDF text is not), and no committed change of the data
unless the actor is allowed (a change made by an allowed actor is undone before the next case).

Outcome classes:
  ``ok``     2xx, or a redirect anywhere but the sign-in page; for a POST/PUT also 400, 409, 415
             or 422 (``BODY_REFUSED``: the empty body was refused after the permission check)
  ``login``  not signed in: 302 to ``/login`` (``next`` = the page for a GET, none for a POST);
             401 JSON under ``/api/`` (also the token request's answer to wrong credentials)
  ``403``    the actor's role may not do this (a whole area: admin pages, review, EITI settings,
             receipts for non-officers, filings for non-filers), or a rule such as "only
             signatories submit", "only the secretariat decides"
  ``404``    the record is hidden from the actor
  ``405``    the method is not served at this address (cases added for GET/POST where the map has none)
  ``409``    a page (GET) the record's state does not allow: a closed period, a sealed version

What the app answers for another company's or agency's record is not uniform: 404 for payment
lines, attachments, filing queries, discrepancy queries and adjustments, section items and API
tokens; 403 for disclosures (show, diff, bods.json, receipt.pdf), the register's company page and
receipt batches. Each cell below states which one.
"""
from __future__ import annotations

import dataclasses
import io
import re
import shutil
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from sqlalchemy import event, insert, select
from werkzeug.routing import Rule

from attachment_files import pdf_bytes, png_bytes
from support import csrf_token, empty_domain_tables, login, make_app
from esg_portal.accounts.models import User
from esg_portal.accounts.tokens import create_token
from esg_portal.companies.models import Company, License
from esg_portal.demo.loader import DEMO_PASSWORD, load_demo
from esg_portal.disclosure.attachments import check_file, file_path, store_attachment
from esg_portal.disclosure.evidence import keep_evidence
from esg_portal.disclosure.models import (Attachment, Disclosure, DisclosureStatus, FilingQuery, FilingQueryEvidence,
                                         QueryStatus)
from esg_portal.eiti import discrepancies
from esg_portal.eiti.models import DiscrepancyEvidence, ReconciliationLine
from esg_portal.eiti.publication.services import publish_release
from esg_portal.eiti.runs import run_reconciliation
from esg_portal.extensions import db
from esg_portal.notifications.models import Notification
from esg_portal.receipts.models import BatchStatus, GovernmentReceipt, ReceiptBatch
from esg_portal.reference.models import GovernmentEntity, ReportingPeriod, RevenueStream

# --- the actors --------------------------------------------------------------------------------

#: the columns of every expectation row, in this order
ACTORS = ("anonymous", "filer", "assistant", "other_filer", "officer", "other_officer", "secretariat", "admin")
#: the demo accounts (password ``DEMO_PASSWORD``)
EMAILS = {
    "filer": "filer1@demo.kg",  # company A, signatory
    "assistant": "filer1-assistant@demo.kg",  # company A, not a signatory
    "other_filer": "filer2@demo.kg",  # company B, signatory
    "officer": "sts@demo.kg",  # State Tax Service
    "other_officer": "customs@demo.kg",  # State Customs Service
    "secretariat": "secretariat@demo.kg",
    "admin": "admin@demo.kg",
}
#: who answers on B's / the SCS's records what this actor answers on A's / the STS's (mirrored targets)
MIRROR = {"anonymous": "anonymous", "filer": "other_filer", "assistant": "other_filer", "other_filer": "filer",
          "officer": "other_officer", "other_officer": "officer", "secretariat": "secretariat", "admin": "admin"}

# --- planted markers: unpublished data, and who alone may ever see them ------------------------

MARKERS = {
    # the 2025 drafts: their company's filers only (staff never see a draft)
    "MARK-A-DRAFT-LINE": {"filer", "assistant"},
    "MARK-B-DRAFT-LINE": {"other_filer"},
    "mark-a-draft-file": {"filer", "assistant"},  # the names of files attached to the drafts
    "mark-b-draft-file": {"other_filer"},
    "MARK-A-DRAFT-OWNER-ID": {"filer", "assistant"},  # a beneficial owner's private field in A's draft
    # a version under review (Demo Naryn, 2024, submitted): the secretariat and administrators
    "MARK-C-REVIEW-LINE": {"secretariat", "admin"},
    # a private field of an accepted, published version: the secretariat's review (and the company's own filers)
    "MARK-B-SEALED-OWNER-ID": {"secretariat", "other_filer"},
    # agencies' draft receipt batches: that agency only
    "MARK-STS-DRAFT-RECEIPT": {"officer"},
    "MARK-SCS-DRAFT-RECEIPT": {"other_officer"},
    # a submitted batch: its agency and staff
    "MARK-SCS-FILED-RECEIPT": {"other_officer", "secretariat", "admin"},
    # a resident's appeal sent to company A: the name only to the secretariat; the contact also to the
    # administrator (the outbox's recipient); the resident's own words to the secretariat and A's filers
    "MARK-FEEDBACK-NAME": {"secretariat"},
    "mark-feedback-contact@example.kg": {"secretariat", "admin"},
    "MARK-FEEDBACK-TEXT": {"secretariat", "filer", "assistant"},
}

#: (endpoint, actor) → why a marker the actor must not see is shown anyway: a defect reported and
#: not yet decided. The case is an expected failure while the leak lasts and fails once it is gone.
KNOWN_LEAKS = {
    ("admin.audit_log", "admin"): (
        "the audit trail (/admin/audit) shows the before/after value of every audited column, drafts "
        "included: draft payment lines, names of files attached to drafts and agencies' draft receipts are "
        "readable by administrators, whom every other page refuses drafts (permissions.can_view_disclosure, "
        "can_fetch_attachment, can_view_receipt_batch)"),
    ("admin.audit_csv", "admin"): (
        "the audit trail's CSV (/admin/audit.csv) holds the same before/after values as the page, drafts included "
        "(see admin.audit_log)"),
}

# --- URL arguments: one small function per kind of value ----------------------------------------

#: kind → callable(context) → the URL value. Record ids come from the seeded data (``Seeded.ids``);
#: kinds starting ``a_``/``sts_`` have a ``b_``/``scs_`` twin for mirrored targets.
FILL: dict[str, Callable[[Seeded], Any]] = {}


def _record(kind: str) -> Callable[[Seeded], Any]:
    return lambda ctx: ctx.ids[kind]


for _kind in ("a_company", "b_company", "a_licence", "b_licence", "a_filer_user", "b_filer_user",
              "sts_agency", "scs_agency", "a_draft", "b_draft", "a_sealed", "b_sealed", "c_review",
              "a_draft_line", "b_draft_line", "a_sealed_line", "b_sealed_line", "a_query", "b_query",
              "a_token", "b_token", "sts_draft_batch", "scs_draft_batch", "sts_filed_batch", "scs_filed_batch",
              "sts_draft_receipt", "scs_draft_receipt", "sts_filed_receipt", "scs_filed_receipt",
              "run", "a_position", "b_position", "a_discrepancy_query", "b_discrepancy_query",
              "sts_discrepancy_query", "scs_discrepancy_query", "a_adjustment", "b_adjustment",
              "a_draft_attachment", "b_draft_attachment", "a_sealed_attachment", "b_sealed_attachment",
              "a_inn", "region_code", "site_code", "chart_page", "chart_id", "static_file",
              "a_notification", "b_notification", "a_filing_evidence", "b_filing_evidence",
              "a_discrepancy_evidence", "b_discrepancy_evidence", "sts_discrepancy_evidence",
              "scs_discrepancy_evidence", "a_feedback", "b_feedback", "sts_feedback", "scs_feedback",
              "waiting_feedback", "feedback_secret", "feedback_photo"):
    FILL[_kind] = _record(_kind)
FILL.update({
    "open_year": lambda ctx: 2025,  # the open period: A and B hold drafts
    "closed_year": lambda ctx: 2024,  # closed, reconciled and published (release v1)
    "section": lambda ctx: "beneficial_owners",  # A's draft holds owners carried over from 2024
    # An item of that section of the actor's own draft (``items/<item>``): the stable id of the
    # first owner of A's draft, read in ``seed`` by ``_first_item``. This is the one place that
    # says how an item is named in URLs (before stable ids: the list position, ``lambda ctx: 0``).
    "a_item": lambda ctx: ctx.ids["a_first_owner"],
    "stream_code": lambda ctx: "ROYALTY",
    "release_version": lambda ctx: 1,
    "release_file": lambda ctx: "data.json",
})


# --- the table ---------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Target:
    """Which records a route's URL names, and per method the expected class for each actor."""

    label: str
    args: dict[str, str]  #: URL argument → ``FILL`` kind
    expect: dict[str, tuple[str, ...]]  #: method → one class per actor, in ``ACTORS`` order
    mirror: bool = False
    #: form fields (or JSON) sent with a POST/PUT where the form is checked before the permission:
    #: just enough for the request to reach the permission check
    body: dict[str, str] | None = None

    def mirrored(self) -> Target:
        def twin(kind: str) -> str:
            for own, other in (("a_", "b_"), ("sts_", "scs_")):
                if kind.startswith(own):
                    return other + kind[len(own):]
            return kind

        column = {actor: i for i, actor in enumerate(ACTORS)}
        return Target(label=re.sub(r"^A|^STS", lambda m: {"A": "B", "STS": "SCS"}[m.group(0)], self.label),
                      args={name: twin(kind) for name, kind in self.args.items()},
                      expect={method: tuple(row[column[MIRROR[actor]]] for actor in ACTORS)
                              for method, row in self.expect.items()}, body=self.body)


def T(label: str, args: dict[str, str], *rows: str, mirror: bool = False, body: dict[str, str] | None = None) -> Target:
    """``T("A-draft", {"disclosure_id": "a_draft"}, "GET login ok ...")``: per row the method, then
    one class per actor."""
    expect = {}
    for row in rows:
        method, *classes = row.split()
        assert len(classes) == len(ACTORS), f"{label} {method}: {len(classes)} classes for {len(ACTORS)} actors"
        assert set(classes) <= CLASSES, f"{label} {method}: unknown classes {set(classes) - CLASSES}"
        expect[method] = tuple(classes)
    return Target(label, dict(args), expect, mirror, body)


CLASSES = {"ok", "login", "403", "404", "405", "409"}

ROUTES: dict[str, list[Target]] = {
    # each row: the method, then one class per actor of ACTORS (filB: filer of B; STS, SCS: the officers)
    #     "meth  anon  filer asst  filB  STS   SCS   secr  admin"
    "accounts.change_password": [
        T("", {},
          "GET   login ok    ok    ok    ok    ok    ok    ok",
          "POST  login ok    ok    ok    ok    ok    ok    ok"),
    ],
    # signed in: redirected to the dashboard
    "accounts.login": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok",
          "POST  ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "accounts.logout": [
        T("", {},
          "POST  login ok    ok    ok    ok    ok    ok    ok"),
    ],
    "accounts.set_language": [
        T("", {},
          "POST  ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    # /admin/ is the administrator's alone (admin.views.admin_only): 403 to every other role
    "admin.agencies": [
        T("", {},
          "GET   login 403   403   403   403   403   403   ok"),
    ],
    # KNOWN_LEAKS: the trail shows draft values to the administrator
    "admin.audit_log": [
        T("", {},
          "GET   login 403   403   403   403   403   403   ok"),
    ],
    # the trail as CSV, same filters and the same leak (KNOWN_LEAKS)
    "admin.audit_csv": [
        T("", {},
          "GET   login 403   403   403   403   403   403   ok"),
    ],
    "admin.companies": [
        T("", {},
          "GET   login 403   403   403   403   403   403   ok"),
    ],
    "admin.edit_agency": [
        T("A", {"agency_id": "sts_agency"},
          "GET   login 403   403   403   403   403   403   ok",
          "POST  login 403   403   403   403   403   403   ok", mirror=True),
    ],
    "admin.edit_company": [
        T("A", {"company_id": "a_company"},
          "GET   login 403   403   403   403   403   403   ok",
          "POST  login 403   403   403   403   403   403   ok", mirror=True),
    ],
    "admin.edit_licence": [
        T("A", {"licence_id": "a_licence"},
          "GET   login 403   403   403   403   403   403   ok",
          "POST  login 403   403   403   403   403   403   ok", mirror=True),
    ],
    "admin.edit_user": [
        T("A", {"user_id": "a_filer_user"},
          "GET   login 403   403   403   403   403   403   ok",
          "POST  login 403   403   403   403   403   403   ok", mirror=True),
    ],
    "admin.new_agency": [
        T("", {},
          "GET   login 403   403   403   403   403   403   ok",
          "POST  login 403   403   403   403   403   403   ok"),
    ],
    "admin.new_company": [
        T("", {},
          "GET   login 403   403   403   403   403   403   ok",
          "POST  login 403   403   403   403   403   403   ok"),
    ],
    "admin.new_licence": [
        T("A", {"company_id": "a_company"},
          "GET   login 403   403   403   403   403   403   ok",
          "POST  login 403   403   403   403   403   403   ok", mirror=True),
    ],
    "admin.new_user": [
        T("", {},
          "GET   login 403   403   403   403   403   403   ok",
          "POST  login 403   403   403   403   403   403   ok"),
    ],
    "admin.users": [
        T("", {},
          "GET   login 403   403   403   403   403   403   ok"),
    ],
    # the API: Bearer tokens only (a session cookie never signs a call in); 401/403 as JSON
    "api.amend_filing": [
        T("2025", {"year": "open_year"},
          "POST  login ok    ok    ok    403   403   403   403"),
        T("2024", {"year": "closed_year"},
          "POST  login ok    ok    ok    403   403   403   403"),
    ],
    "api.filing": [
        T("2025", {"year": "open_year"},
          "GET   login ok    ok    ok    403   403   403   403"),
        T("2024", {"year": "closed_year"},
          "GET   login ok    ok    ok    403   403   403   403"),
    ],
    # no token needed: an empty body is wrong credentials, 401 for everyone
    "api.issue_token": [
        T("", {},
          "POST  login login login login login login login login"),
    ],
    "api.list_attachments": [
        T("2025", {"year": "open_year"},
          "GET   login ok    ok    ok    403   403   403   403"),
        T("2024", {"year": "closed_year"},
          "GET   login ok    ok    ok    403   403   403   403"),
    ],
    "api.openapi": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "api.periods": [
        T("", {},
          "GET   login ok    ok    ok    ok    ok    ok    ok"),
    ],
    "api.public_companies": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "api.public_company_payments": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "api.public_eia": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "api.public_government_entities": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "api.public_government_revenues": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "api.public_periods": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "api.public_production": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "api.public_projects": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "api.public_public_hearings": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "api.public_reconciliation_lines": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "api.public_reconciliation_summaries": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "api.public_releases": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "api.public_revenue_streams": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "api.public_social_agreements": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "api.public_workforce": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "api.publish_release": [
        T("2025", {"year": "open_year"},
          "POST  login 403   403   403   403   403   ok    403"),
        T("2024", {"year": "closed_year"},
          "POST  login 403   403   403   403   403   ok    403"),
    ],
    # 2025 has no run yet: 404 for the secretariat
    "api.reconciliation_lines": [
        T("2025", {"year": "open_year"},
          "GET   login 403   403   403   403   403   404   403"),
        T("2024", {"year": "closed_year"},
          "GET   login 403   403   403   403   403   ok    403"),
    ],
    "api.replace_receipts": [
        T("2025", {"year": "open_year"},
          "PUT   login 403   403   403   ok    ok    403   403"),
        T("2024", {"year": "closed_year"},
          "PUT   login 403   403   403   ok    ok    403   403"),
    ],
    "api.replace_section": [
        T("2025", {"section": "section", "year": "open_year"},
          "PUT   login ok    ok    ok    403   403   403   403"),
        T("2024", {"section": "section", "year": "closed_year"},
          "PUT   login ok    ok    ok    403   403   403   403"),
    ],
    "api.run_reconciliation": [
        T("2025", {"year": "open_year"},
          "POST  login 403   403   403   403   403   ok    403"),
        T("2024", {"year": "closed_year"},
          "POST  login 403   403   403   403   403   ok    403"),
    ],
    "api.submit_filing": [
        T("2025", {"year": "open_year"},
          "POST  login ok    403   ok    403   403   403   403"),
        T("2024", {"year": "closed_year"},
          "POST  login ok    403   ok    403   403   403   403"),
    ],
    "api.submit_receipts": [
        T("2025", {"year": "open_year"},
          "POST  login 403   403   403   ok    ok    403   403"),
        T("2024", {"year": "closed_year"},
          "POST  login 403   403   403   ok    ok    403   403"),
    ],
    "api.upload_attachment": [
        T("2025", {"year": "open_year"},
          "POST  login ok    ok    ok    403   403   403   403"),
        T("2024", {"year": "closed_year"},
          "POST  login ok    ok    ok    403   403   403   403"),
    ],
    "attachments.delete": [
        T("A-draft", {"attachment_id": "a_draft_attachment"},
          "POST  login ok    ok    404   404   404   404   404", mirror=True),
        T("A-sealed", {"attachment_id": "a_sealed_attachment"},
          "POST  login ok    ok    404   404   404   404   404", mirror=True),
    ],
    # the company's filers, and the secretariat once the version is submitted; never admins
    "attachments.download": [
        T("A-draft", {"attachment_id": "a_draft_attachment"},
          "GET   login ok    ok    404   404   404   404   404", mirror=True),
        T("A-sealed", {"attachment_id": "a_sealed_attachment"},
          "GET   login ok    ok    404   404   404   ok    404", mirror=True),
    ],
    "attachments.filing": [
        T("2025", {"year": "open_year"},
          "GET   login ok    ok    ok    403   403   403   403",
          "POST  login ok    ok    ok    403   403   403   403"),
        T("2024", {"year": "closed_year"},
          "GET   login ok    ok    ok    403   403   403   403",
          "POST  login ok    ok    ok    403   403   403   403"),
    ],
    "companies.index": [
        T("", {},
          "GET   login ok    ok    ok    ok    ok    ok    ok"),
    ],
    # the register is read by agencies and staff; a filer sees its own company only (403)
    "companies.show": [
        T("A", {"company_id": "a_company"},
          "GET   login ok    ok    403   ok    ok    ok    ok", mirror=True),
    ],
    "dashboard.index": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "disclosure.add_line": [
        T("2025", {"year": "open_year"},
          "POST  login ok    ok    ok    403   403   403   403"),
        T("2024", {"year": "closed_year"},
          "POST  login ok    ok    ok    403   403   403   403"),
    ],
    # the confirmation page answers every filer (it says when there is nothing to discard); the 2025
    # drafts are version 1, so the POST is refused with 409 (nothing_to_discard)
    "disclosure.discard": [
        T("2025", {"year": "open_year"},
          "GET   login ok    ok    ok    403   403   403   403",
          "POST  login ok    ok    ok    403   403   403   403"),
    ],
    "disclosure.amend": [
        T("2025", {"year": "open_year"},
          "GET   login 409   409   409   403   403   403   403",
          "POST  login ok    ok    ok    403   403   403   403"),
        T("2024", {"year": "closed_year"},
          "GET   login 409   409   409   403   403   403   403",
          "POST  login ok    ok    ok    403   403   403   403"),
    ],
    "disclosure.answer_query": [
        T("A", {"query_id": "a_query"},
          "POST  login ok    ok    404   404   404   403   404", mirror=True),
    ],
    # a file sent with the answer to a filing query: who may read the query (the company's filers, the secretariat)
    "disclosure.answer_file": [
        T("A", {"filing_evidence_id": "a_filing_evidence"},
          "GET   login ok    ok    404   404   404   ok    404", mirror=True),
    ],
    # a draft has no statements and no receipt (404 to its own filers); 403 for other companies' versions
    "disclosure.bods": [
        T("A-draft", {"disclosure_id": "a_draft"},
          "GET   login 404   404   403   403   403   403   403", mirror=True),
        T("A-sealed", {"disclosure_id": "a_sealed"},
          "GET   login ok    ok    403   403   403   ok    ok", mirror=True),
        T("C-review", {"disclosure_id": "c_review"},
          "GET   login 403   403   403   403   403   ok    ok"),
    ],
    "disclosure.declare": [
        T("2025", {"section": "section", "year": "open_year"},
          "POST  login ok    ok    ok    403   403   403   403"),
        T("2024", {"section": "section", "year": "closed_year"},
          "POST  login ok    ok    ok    403   403   403   403"),
    ],
    # another company's line, or any line for staff: 404
    "disclosure.delete_line": [
        T("A-draft", {"line_id": "a_draft_line"},
          "POST  login ok    ok    404   404   404   404   404", mirror=True),
        T("A-sealed", {"line_id": "a_sealed_line"},
          "POST  login ok    ok    404   404   404   404   404", mirror=True),
    ],
    "disclosure.diff": [
        T("A-draft", {"disclosure_id": "a_draft"},
          "GET   login ok    ok    403   403   403   403   403", mirror=True),
        T("A-sealed", {"disclosure_id": "a_sealed"},
          "GET   login ok    ok    403   403   403   ok    ok", mirror=True),
        T("C-review", {"disclosure_id": "c_review"},
          "GET   login 403   403   403   403   403   ok    ok"),
    ],
    "disclosure.edit_line": [
        T("A-draft", {"line_id": "a_draft_line"},
          "GET   login ok    ok    404   404   404   404   404",
          "POST  login ok    ok    404   404   404   404   404", mirror=True),
        T("A-sealed", {"line_id": "a_sealed_line"},
          "GET   login 409   409   404   404   404   404   404",
          "POST  login ok    ok    404   404   404   404   404", mirror=True),
    ],
    # the filing pages by year are the actor's own company's: there is no other company's variant
    "disclosure.filing": [
        T("2025", {"year": "open_year"},
          "GET   login ok    ok    ok    403   403   403   403"),
        T("2024", {"year": "closed_year"},
          "GET   login ok    ok    ok    403   403   403   403"),
    ],
    "disclosure.receipt": [
        T("A-draft", {"disclosure_id": "a_draft"},
          "GET   login 404   404   403   403   403   403   403", mirror=True),
        T("A-sealed", {"disclosure_id": "a_sealed"},
          "GET   login ok    ok    403   403   403   ok    ok", mirror=True),
        T("C-review", {"disclosure_id": "c_review"},
          "GET   login 403   403   403   403   403   ok    ok"),
    ],
    # other companies' versions: 403; drafts: the company's filers only; staff read submitted versions
    "disclosure.show": [
        T("A-draft", {"disclosure_id": "a_draft"},
          "GET   login ok    ok    403   403   403   403   403", mirror=True),
        T("A-sealed", {"disclosure_id": "a_sealed"},
          "GET   login ok    ok    403   403   403   ok    ok", mirror=True),
        T("C-review", {"disclosure_id": "c_review"},
          "GET   login 403   403   403   403   403   ok    ok"),
    ],
    "disclosure.submit": [
        T("2025", {"year": "open_year"},
          "GET   login ok    ok    ok    403   403   403   403",
          "POST  login ok    403   ok    403   403   403   403"),
        T("2024", {"year": "closed_year"},
          "GET   login 409   409   409   403   403   403   403",
          "POST  login ok    ok    ok    403   403   403   403"),
    ],
    "disclosure.template_csv": [
        T("2025", {"year": "open_year"},
          "GET   login ok    ok    ok    403   403   403   403"),
        T("2024", {"year": "closed_year"},
          "GET   login ok    ok    ok    403   403   403   403"),
    ],
    "disclosure.template_xlsx": [
        T("2025", {"year": "open_year"},
          "GET   login ok    ok    ok    403   403   403   403"),
        T("2024", {"year": "closed_year"},
          "GET   login ok    ok    ok    403   403   403   403"),
    ],
    "disclosure.upload": [
        T("2025", {"year": "open_year"},
          "GET   login ok    ok    ok    403   403   403   403",
          "POST  login ok    ok    ok    403   403   403   403"),
        T("2024", {"year": "closed_year"},
          "GET   login 409   409   409   403   403   403   403",
          "POST  login ok    ok    ok    403   403   403   403"),
    ],
    "disclosure.withdraw": [
        T("2025", {"section": "section", "year": "open_year"},
          "POST  login ok    ok    ok    403   403   403   403"),
        T("2024", {"section": "section", "year": "closed_year"},
          "POST  login ok    ok    ok    403   403   403   403"),
    ],
    # answered by the addressee only; the secretariat (who can read the query) gets 403 with a valid body
    "discrepancies.answer": [
        T("A-query", {"discrepancy_query_id": "a_discrepancy_query"},
          "POST  login ok    ok    404   404   404   403   404", mirror=True, body={"answer": "Because."}),
        T("STS-query", {"discrepancy_query_id": "sts_discrepancy_query"},
          "POST  login 404   404   404   ok    404   403   404", mirror=True, body={"answer": "Because."}),
    ],
    # the addressee may read the query but not close it (403); anyone else never learns it exists (404)
    "discrepancies.close": [
        T("A-query", {"discrepancy_query_id": "a_discrepancy_query"},
          "POST  login 403   403   404   404   404   ok    404", mirror=True),
        T("STS-query", {"discrepancy_query_id": "sts_discrepancy_query"},
          "POST  login 404   404   404   403   404   ok    404", mirror=True),
    ],
    # the secretariat decides; the addressee gets 403 with a valid body (an empty one would be a 422 first)
    "discrepancies.decide": [
        T("A", {"adjustment_id": "a_adjustment"},
          "POST  login 403   403   404   404   404   ok    404",
          mirror=True, body={"decision": "reject", "comment": "No."}),
    ],
    # everyone signed in sees the queries addressed to them; administrators none (403)
    # a file of the answer to a discrepancy query: who may read the query (the addressee, the secretariat)
    "discrepancies.evidence": [
        T("A-query", {"discrepancy_evidence_id": "a_discrepancy_evidence"},
          "GET   login ok    ok    404   404   404   ok    404", mirror=True),
        T("STS-query", {"discrepancy_evidence_id": "sts_discrepancy_evidence"},
          "GET   login 404   404   404   ok    404   ok    404", mirror=True),
    ],
    "discrepancies.index": [
        T("2025", {"year": "open_year"},
          "GET   login ok    ok    ok    ok    ok    ok    403"),
        T("2024", {"year": "closed_year"},
          "GET   login ok    ok    ok    ok    ok    ok    403"),
    ],
    "discrepancies.line": [
        T("A-line", {"position": "a_position", "run_id": "run"},
          "GET   login 403   403   403   403   403   ok    403", mirror=True),
    ],
    "discrepancies.propose": [
        T("A-query", {"discrepancy_query_id": "a_discrepancy_query"},
          "POST  login ok    ok    404   404   404   ok    404", mirror=True),
        T("STS-query", {"discrepancy_query_id": "sts_discrepancy_query"},
          "POST  login 404   404   404   ok    404   ok    404", mirror=True),
    ],
    "discrepancies.query": [
        T("A-query", {"discrepancy_query_id": "a_discrepancy_query"},
          "GET   login ok    ok    404   404   404   ok    404", mirror=True),
        T("STS-query", {"discrepancy_query_id": "sts_discrepancy_query"},
          "GET   login 404   404   404   ok    404   ok    404", mirror=True),
    ],
    "discrepancies.raise_query": [
        T("A-line", {"position": "a_position", "run_id": "run"},
          "POST  login 403   403   403   403   403   ok    403", mirror=True),
    ],
    # the secretariat records an explanation given outside the portal (the empty body: 422)
    "discrepancies.record_explanation": [
        T("A-line", {"position": "a_position", "run_id": "run"},
          "POST  login 403   403   403   403   403   ok    403", mirror=True),
    ],
    "eiti.period_settings": [
        T("2025", {"year": "open_year"},
          "GET   login 403   403   403   403   403   ok    403"),
        T("2024", {"year": "closed_year"},
          "GET   login 403   403   403   403   403   ok    403"),
    ],
    # opening and closing a period: the secretariat only; the seeded years are open (2025) and closed (2024),
    # so the step itself is refused (409, an "ok" for a POST)
    **{f"eiti.{step}": [
        T("2025", {"year": "open_year"},
          "POST  login 403   403   403   403   403   ok    403"),
        T("2024", {"year": "closed_year"},
          "POST  login 403   403   403   403   403   ok    403"),
    ] for step in ("open_period", "close_period")},
    "eiti.save_period": [
        T("2025", {"year": "open_year"},
          "POST  login 403   403   403   403   403   ok    403"),
        T("2024", {"year": "closed_year"},
          "POST  login 403   403   403   403   403   ok    403"),
    ],
    "eiti.save_scope": [
        T("2025", {"year": "open_year"},
          "POST  login 403   403   403   403   403   ok    403"),
        T("2024", {"year": "closed_year"},
          "POST  login 403   403   403   403   403   ok    403"),
    ],
    # the streams table, every row at once
    "eiti.save_streams": [
        T("2025", {"year": "open_year"},
          "POST  login 403   403   403   403   403   ok    403"),
        T("2024", {"year": "closed_year"},
          "POST  login 403   403   403   403   403   ok    403"),
    ],
    "eiti.save_stream": [
        T("2025", {"stream_code": "stream_code", "year": "open_year"},
          "POST  login 403   403   403   403   403   ok    403"),
        T("2024", {"stream_code": "stream_code", "year": "closed_year"},
          "POST  login 403   403   403   403   403   ok    403"),
    ],
    "public.chart_csv": [
        T("home-chart", {"chart": "chart_id", "page": "chart_page"},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "public.companies": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "public.company": [
        T("A-published", {"inn": "a_inn"},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "public.downloads": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "public.glossary": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "public.region": [
        T("A-region", {"code": "region_code"},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "public.regions": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "public.search": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "public.site": [
        T("A-site", {"code": "site_code"},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "public.sites": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "publication.catalog_jsonld": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "publication.catalog_ttl": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "publication.import_sdt": [
        T("2025", {"year": "open_year"},
          "POST  login 403   403   403   403   403   ok    403"),
        T("2024", {"year": "closed_year"},
          "POST  login 403   403   403   403   403   ok    403"),
    ],
    # published data: the same for everyone; 2025 has no release (404)
    "publication.latest_file": [
        T("2025", {"name": "release_file", "year": "open_year"},
          "GET   404   404   404   404   404   404   404   404"),
        T("2024", {"name": "release_file", "year": "closed_year"},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "publication.publish": [
        T("2025", {"year": "open_year"},
          "POST  login 403   403   403   403   403   ok    403"),
        T("2024", {"year": "closed_year"},
          "POST  login 403   403   403   403   403   ok    403"),
    ],
    "publication.publish_page": [
        T("2025", {"year": "open_year"},
          "GET   login 403   403   403   403   403   ok    403"),
        T("2024", {"year": "closed_year"},
          "GET   login 403   403   403   403   403   ok    403"),
    ],
    "publication.release_file": [
        T("2025", {"name": "release_file", "version": "release_version", "year": "open_year"},
          "GET   404   404   404   404   404   404   404   404"),
        T("2024", {"name": "release_file", "version": "release_version", "year": "closed_year"},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "publication.release_index": [
        T("2025", {"version": "release_version", "year": "open_year"},
          "GET   404   404   404   404   404   404   404   404"),
        T("2024", {"version": "release_version", "year": "closed_year"},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    # receipts by year are the officer's own agency's
    "receipts.add_receipt": [
        T("2025", {"year": "open_year"},
          "POST  login 403   403   403   ok    ok    403   403"),
        T("2024", {"year": "closed_year"},
          "POST  login 403   403   403   ok    ok    403   403"),
    ],
    # one receipt of the agency's draft: another agency's officer gets 404 (receipts.services.get_receipt),
    # other roles 403; a receipt of a submitted version (2024, closed) is 409 to its own officer
    "receipts.delete_receipt": [
        T("STS-draft", {"line_id": "sts_draft_receipt"},
          "GET   login 403   403   403   ok    404   403   403",
          "POST  login 403   403   403   ok    404   403   403", mirror=True),
        T("STS-filed", {"line_id": "sts_filed_receipt"},
          "GET   login 403   403   403   409   404   403   403",
          "POST  login 403   403   403   ok    404   403   403", mirror=True),
    ],
    # the officer's current receipts (draft, else the latest version) as files: their own agency's
    "receipts.download_csv": [
        T("2025", {"year": "open_year"},
          "GET   login 403   403   403   ok    ok    403   403"),
        T("2024", {"year": "closed_year"},
          "GET   login 403   403   403   ok    ok    403   403"),
    ],
    "receipts.download_xlsx": [
        T("2025", {"year": "open_year"},
          "GET   login 403   403   403   ok    ok    403   403"),
        T("2024", {"year": "closed_year"},
          "GET   login 403   403   403   ok    ok    403   403"),
    ],
    "receipts.edit_receipt": [
        T("STS-draft", {"line_id": "sts_draft_receipt"},
          "GET   login 403   403   403   ok    404   403   403",
          "POST  login 403   403   403   ok    404   403   403", mirror=True),
        T("STS-filed", {"line_id": "sts_filed_receipt"},
          "GET   login 403   403   403   409   404   403   403",
          "POST  login 403   403   403   ok    404   403   403", mirror=True),
    ],
    "receipts.correction": [
        T("2025", {"year": "open_year"},
          "POST  login 403   403   403   ok    ok    403   403"),
        T("2024", {"year": "closed_year"},
          "POST  login 403   403   403   ok    ok    403   403"),
    ],
    # the confirmation page answers each officer; with no draft correction the POST is refused (409)
    "receipts.discard_correction": [
        T("2025", {"year": "open_year"},
          "GET   login 403   403   403   ok    ok    403   403",
          "POST  login 403   403   403   ok    ok    403   403"),
    ],
    "receipts.period": [
        T("2025", {"year": "open_year"},
          "GET   login 403   403   403   ok    ok    403   403"),
        T("2024", {"year": "closed_year"},
          "GET   login 403   403   403   ok    ok    403   403"),
    ],
    # a draft batch is its agency's only; a submitted one also the staff's
    "receipts.show": [
        T("STS-draft", {"batch_id": "sts_draft_batch"},
          "GET   login 403   403   403   ok    403   403   403", mirror=True),
        T("STS-filed", {"batch_id": "sts_filed_batch"},
          "GET   login 403   403   403   ok    403   ok    ok", mirror=True),
    ],
    "receipts.submit": [
        T("2025", {"year": "open_year"},
          "POST  login 403   403   403   ok    ok    403   403"),
        T("2024", {"year": "closed_year"},
          "POST  login 403   403   403   ok    ok    403   403"),
    ],
    "receipts.template_csv": [
        T("2025", {"year": "open_year"},
          "GET   login 403   403   403   ok    ok    403   403"),
        T("2024", {"year": "closed_year"},
          "GET   login 403   403   403   ok    ok    403   403"),
    ],
    "receipts.template_xlsx": [
        T("2025", {"year": "open_year"},
          "GET   login 403   403   403   ok    ok    403   403"),
        T("2024", {"year": "closed_year"},
          "GET   login 403   403   403   ok    ok    403   403"),
    ],
    "receipts.upload": [
        T("2025", {"year": "open_year"},
          "POST  login 403   403   403   ok    ok    403   403"),
        T("2024", {"year": "closed_year"},
          "POST  login 403   403   403   ok    ok    403   403"),
    ],
    "reconciliation.run_now": [
        T("2025", {"year": "open_year"},
          "POST  login 403   403   403   403   403   ok    403"),
        T("2024", {"year": "closed_year"},
          "POST  login 403   403   403   403   403   ok    403"),
    ],
    "reconciliation.runs_page": [
        T("2025", {"year": "open_year"},
          "GET   login 403   403   403   403   403   ok    403"),
        T("2024", {"year": "closed_year"},
          "GET   login 403   403   403   403   403   ok    403"),
    ],
    "reconciliation_reports.report": [
        T("run-2024", {"run_id": "run"},
          "GET   login 403   403   403   403   403   ok    403"),
    ],
    "reconciliation_reports.report_csv": [
        T("run-2024", {"run_id": "run"},
          "GET   login 403   403   403   403   403   ok    403"),
    ],
    "reconciliation_reports.report_pdf": [
        T("run-2024", {"run_id": "run"},
          "GET   login 403   403   403   403   403   ok    403"),
    ],
    "reconciliation_reports.report_xlsx": [
        T("run-2024", {"run_id": "run"},
          "GET   login 403   403   403   403   403   ok    403"),
    ],
    # the secretariat's review (review_views.before_request); a draft is 403 to the secretariat too
    "review.accept": [
        T("A-draft", {"disclosure_id": "a_draft"},
          "POST  login 403   403   403   403   403   403   403", mirror=True),
        T("A-sealed", {"disclosure_id": "a_sealed"},
          "POST  login 403   403   403   403   403   ok    403", mirror=True),
        T("C-review", {"disclosure_id": "c_review"},
          "POST  login 403   403   403   403   403   ok    403"),
    ],
    "review.filing": [
        T("A-draft", {"disclosure_id": "a_draft"},
          "GET   login 403   403   403   403   403   403   403", mirror=True),
        T("A-sealed", {"disclosure_id": "a_sealed"},
          "GET   login 403   403   403   403   403   ok    403", mirror=True),
        T("C-review", {"disclosure_id": "c_review"},
          "GET   login 403   403   403   403   403   ok    403"),
    ],
    "review.overdue": [
        T("2025", {"year": "open_year"},
          "GET   login 403   403   403   403   403   ok    403"),
        T("2024", {"year": "closed_year"},
          "GET   login 403   403   403   403   403   ok    403"),
    ],
    "review.overdue_csv": [
        T("2025", {"year": "open_year"},
          "GET   login 403   403   403   403   403   ok    403"),
        T("2024", {"year": "closed_year"},
          "GET   login 403   403   403   403   403   ok    403"),
    ],
    "review.period": [
        T("2025", {"year": "open_year"},
          "GET   login 403   403   403   403   403   ok    403"),
        T("2024", {"year": "closed_year"},
          "GET   login 403   403   403   403   403   ok    403"),
    ],
    "review.raise_query": [
        T("A-draft", {"disclosure_id": "a_draft"},
          "POST  login 403   403   403   403   403   403   403", mirror=True),
        T("A-sealed", {"disclosure_id": "a_sealed"},
          "POST  login 403   403   403   403   403   ok    403", mirror=True),
        T("C-review", {"disclosure_id": "c_review"},
          "POST  login 403   403   403   403   403   ok    403"),
    ],
    "sections.confirm": [
        T("2025", {"section": "section", "year": "open_year"},
          "POST  login ok    ok    ok    403   403   403   403"),
        T("2024", {"section": "section", "year": "closed_year"},
          "POST  login ok    ok    ok    403   403   403   403"),
    ],
    # the item id of A's draft names nothing in B's draft: 404 to B's filer
    "sections.delete_item": [
        T("2025-A-item", {"item": "a_item", "section": "section", "year": "open_year"},
          "POST  login ok    ok    404   403   403   403   403"),
        T("2024-A-item", {"item": "a_item", "section": "section", "year": "closed_year"},
          "POST  login ok    ok    ok    403   403   403   403"),
    ],
    "sections.edit_item": [
        T("2025-A-item", {"item": "a_item", "section": "section", "year": "open_year"},
          "GET   login ok    ok    404   403   403   403   403",
          "POST  login ok    ok    404   403   403   403   403"),
        T("2024-A-item", {"item": "a_item", "section": "section", "year": "closed_year"},
          "GET   login 409   409   409   403   403   403   403",
          "POST  login ok    ok    ok    403   403   403   403"),
    ],
    "sections.new_item": [
        T("2025", {"section": "section", "year": "open_year"},
          "GET   login ok    ok    ok    403   403   403   403",
          "POST  login ok    ok    ok    403   403   403   403"),
        T("2024", {"section": "section", "year": "closed_year"},
          "GET   login 409   409   409   403   403   403   403",
          "POST  login ok    ok    ok    403   403   403   403"),
    ],
    "sections.show": [
        T("2025", {"section": "section", "year": "open_year"},
          "GET   login ok    ok    ok    403   403   403   403"),
        T("2024", {"section": "section", "year": "closed_year"},
          "GET   login ok    ok    ok    403   403   403   403"),
    ],
    "sections.template": [
        T("2025", {"section": "section", "year": "open_year"},
          "GET   login ok    ok    ok    403   403   403   403"),
        T("2024", {"section": "section", "year": "closed_year"},
          "GET   login ok    ok    ok    403   403   403   403"),
    ],
    "sections.upload": [
        T("2025", {"section": "section", "year": "open_year"},
          "GET   login ok    ok    ok    403   403   403   403",
          "POST  login ok    ok    ok    403   403   403   403"),
        T("2024", {"section": "section", "year": "closed_year"},
          "GET   login ok    ok    ok    403   403   403   403",
          "POST  login ok    ok    ok    403   403   403   403"),
    ],
    "static": [
        T("style", {"filename": "static_file"},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "tokens.index": [
        T("", {},
          "GET   login ok    ok    ok    ok    ok    ok    ok",
          "POST  login ok    ok    ok    ok    ok    ok    ok"),
    ],
    # every signed-in role has an inbox; a notification is its reader's alone (the assistant of A too)
    # residents' feedback: intake, the private page (by its secret link) and the code-and-PIN look-up
    # need no account; an empty form is refused (422) or the step is not possible in the case's state (409)
    "feedback.new": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok",
          "POST  ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "feedback.lookup": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok",
          "POST  ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "feedback.private_case": [
        T("waiting", {"secret": "feedback_secret"},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    **{f"feedback.{step}": [
        T("waiting", {"secret": "feedback_secret"},
          "POST  ok    ok    ok    ok    ok    ok    ok    ok"),
    ] for step in ("verdict", "reopen", "reply")},
    "feedback.private_photo": [
        T("waiting", {"secret": "feedback_secret", "photo_id": "feedback_photo"},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    # handlers: the secretariat every case, a company's filers and an agency's officers what was sent to them
    "feedback.handle_list": [
        T("", {},
          "GET   login ok    ok    ok    ok    ok    ok    403"),
    ],
    "feedback.handle_case": [
        T("A", {"case_code": "a_feedback"},
          "GET   login ok    ok    404   404   404   ok    404", mirror=True),
        T("STS", {"case_code": "sts_feedback"},
          "GET   login 404   404   404   ok    404   ok    404", mirror=True),
        T("waiting", {"case_code": "waiting_feedback"},
          "GET   login 404   404   404   404   404   ok    404"),
    ],
    "feedback.answer_case": [
        T("A", {"case_code": "a_feedback"},
          "POST  login ok    ok    404   404   404   ok    404", mirror=True),
        T("STS", {"case_code": "sts_feedback"},
          "POST  login 404   404   404   ok    404   ok    404", mirror=True),
    ],
    # the secretariat's steps: the addressee sees the case but may not take them
    **{f"feedback.{step}": [
        T("A", {"case_code": "a_feedback"},
          "POST  login 403   403   404   404   404   ok    404", mirror=True, body=body),
        T("STS", {"case_code": "sts_feedback"},
          "POST  login 404   404   404   403   404   ok    404", mirror=True, body=body),
    ] for step, body in (("register_case", None), ("reject_case", None), ("route_case", None),
                         ("close_case", {"resolved": "1"}), ("moderate_case", None))},
    "feedback.handler_photo": [
        T("waiting", {"case_code": "waiting_feedback", "photo_id": "feedback_photo"},
          "GET   login 404   404   404   404   404   ok    404"),
    ],
    # the public record: moderated text only (the markers of A's case never show), a case not public is 404
    **{f"feedback.{name}": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ] for name in ("public_list", "statistics", "public_cases_csv", "public_cases_json")},
    "feedback.public_case": [
        T("A", {"case_code": "a_feedback"},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
        T("waiting", {"case_code": "waiting_feedback"},
          "GET   404   404   404   404   404   404   404   404"),
    ],
    "feedback.public_photo": [
        T("waiting", {"photo_id": "feedback_photo"},
          "GET   404   404   404   404   404   404   404   404"),
    ],
    "api.public_feedback": [
        T("", {},
          "GET   ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "api.public_feedback_intake": [
        T("", {},
          "POST  ok    ok    ok    ok    ok    ok    ok    ok"),
    ],
    "notifications.inbox": [
        T("", {},
          "GET   login ok    ok    ok    ok    ok    ok    ok"),
    ],
    "notifications.read": [
        T("A", {"notification_id": "a_notification"},
          "POST  login ok    404   404   404   404   404   404", mirror=True),
    ],
    "notifications.read_all": [
        T("", {},
          "POST  login ok    ok    ok    ok    ok    ok    ok"),
    ],
    "notifications.outbox": [
        T("", {},
          "GET   login 403   403   403   403   403   403   ok"),
    ],
    "api.list_notifications": [
        T("", {},
          "GET   login ok    ok    ok    ok    ok    ok    ok"),
    ],
    "api.read_notification": [
        T("A", {"notification_id": "a_notification"},
          "POST  login ok    404   404   404   404   404   404", mirror=True),
    ],
    # a token is its owner's alone, not the company's
    "tokens.revoke": [
        T("A", {"token_id": "a_token"},
          "POST  login ok    404   404   404   404   404   404", mirror=True),
    ],
}


# --- the seeded data ---------------------------------------------------------------------------

@dataclasses.dataclass
class Seeded:
    """What the cases need: the app, the record ids, each actor's cookies, CSRF and API tokens."""

    app: Flask
    ids: dict[str, Any]
    cookies: dict[str, dict] = dataclasses.field(default_factory=dict)
    csrf: dict[str, str] = dataclasses.field(default_factory=dict)
    api_tokens: dict[str, str] = dataclasses.field(default_factory=dict)


def _one(stmt):
    found = db.session.scalars(stmt).all()
    assert len(found) == 1, f"expected one record for {stmt}, found {len(found)}"
    return found[0]


def _disclosure(company: Company, year: int, status: DisclosureStatus) -> Disclosure:
    return _one(select(Disclosure).join(ReportingPeriod).where(
        Disclosure.company_id == company.id, ReportingPeriod.year == year, Disclosure.status == status))


def _batch(agency: GovernmentEntity, year: int, status: BatchStatus) -> ReceiptBatch:
    return _one(select(ReceiptBatch).join(ReportingPeriod).where(
        ReceiptBatch.agency_id == agency.id, ReportingPeriod.year == year, ReceiptBatch.status == status))


def _plant_owner_id(disclosure: Disclosure, marker: str) -> None:
    row = disclosure.section_row("beneficial_owners")
    assert row is not None and row.data, f"no beneficial owners in disclosure {disclosure.id}"
    restricted = [dict(item) for item in (row.restricted or [{} for _owner in row.data])]
    restricted[0]["id_document"] = marker
    row.restricted = restricted


def _first_item(disclosure: Disclosure, section: str) -> Any:
    """How the first item of a list section is named in URLs: its stable id."""
    return disclosure.section_row(section).item_ids[0]


def _seed_feedback(users: dict[str, User], company: dict[str, Company], agency: dict[str, GovernmentEntity]
                   ) -> dict[str, Any]:
    """Residents' cases: one sent to each company and to each agency (A's carries the markers of a
    resident's name, contact and own words), and one still waiting with a photo, whose private link
    the resident routes use."""
    from esg_portal.feedback import services as feedback

    made: dict[str, Any] = {}

    def case(extra: dict[str, Any], addressee: str, **route: str) -> str:
        body = {"kind": "appeal", "category": "water", "language": "en", "name": "A resident",
                "contact": "+996 555 000 000", "text": "The water of the river is brown.", **extra}
        created = feedback.submit_case(body)
        feedback.register_case(users["secretariat"], created.case, expected=None, public_text="The water is brown.",
                               is_public=True, addressee=addressee, **route)
        return created.case.code

    made["a_feedback"] = case({"subject": {"company_inn": company["a"].inn}, "name": "MARK-FEEDBACK-NAME",
                               "contact": "mark-feedback-contact@example.kg",
                               "text": "MARK-FEEDBACK-TEXT the water of the river is brown."},
                              "company", company_inn=company["a"].inn)
    made["b_feedback"] = case({"subject": {"company_inn": company["b"].inn}}, "company", company_inn=company["b"].inn)
    for key in ("sts", "scs"):
        made[f"{key}_feedback"] = case({"subject": {"entity": key.upper()}}, "agency", entity_code=key.upper())
    waiting = feedback.submit_case({"kind": "anonymous", "subject": {"place": "Kok-Jar"}, "category": "roads_traffic",
                                    "language": "en", "text": "Trucks drive through the village at night."},
                                   [(png_bytes(), "road.png")])
    made.update(feedback_secret=waiting.secret, waiting_feedback=waiting.case.code,
                feedback_photo=waiting.case.photos[0].id)
    return made


def seed(app: Flask) -> dict[str, Any]:
    """Load the demo data, plant the markers, reconcile and publish 2024, and make the records
    that the demo lacks (queries, tokens, attachments, discrepancy queries); return their ids."""
    ids: dict[str, Any] = {}
    with app.app_context():
        empty_domain_tables()
        load_demo()
        db.session.flush()
        users = {who: _one(select(User).where(User.email == email)) for who, email in EMAILS.items()}
        company = {side: users[who].company for side, who in (("a", "filer"), ("b", "other_filer"))}
        naryn = _one(select(Company).where(Company.legal_name.like("%Naryn%")))
        agency = {code.lower(): _one(select(GovernmentEntity).where(GovernmentEntity.code == code))
                  for code in ("STS", "SCS")}
        drafts = {side: _disclosure(company[side], 2025, DisclosureStatus.DRAFT) for side in "ab"}
        sealed = {side: _disclosure(company[side], 2024, DisclosureStatus.ACCEPTED) for side in "ab"}
        review = _disclosure(naryn, 2024, DisclosureStatus.SUBMITTED)

        # markers in what is not published
        drafts["a"].payment_lines[0].comment = "MARK-A-DRAFT-LINE"
        drafts["b"].payment_lines[0].comment = "MARK-B-DRAFT-LINE"
        _plant_owner_id(drafts["a"], "MARK-A-DRAFT-OWNER-ID")
        _plant_owner_id(sealed["b"], "MARK-B-SEALED-OWNER-ID")
        review.payment_lines[0].comment = "MARK-C-REVIEW-LINE"
        batches = {"sts_draft": _batch(agency["sts"], 2025, BatchStatus.DRAFT),
                   "sts_filed": _batch(agency["sts"], 2024, BatchStatus.SUBMITTED),
                   "scs_filed": _batch(agency["scs"], 2024, BatchStatus.SUBMITTED)}
        batches["sts_draft"].receipts[0].comment = "MARK-STS-DRAFT-RECEIPT"
        export_duty = _one(select(RevenueStream).where(RevenueStream.code == "EXPORT_DUTY"))
        batches["scs_draft"] = ReceiptBatch(agency=agency["scs"], period=drafts["b"].period, version=1,
                                            status=BatchStatus.DRAFT, receipts=[GovernmentReceipt(
                                                company=company["b"], revenue_stream=export_duty,
                                                amount_minor=12345, currency="KGS",
                                                comment="MARK-SCS-DRAFT-RECEIPT")])
        db.session.add(batches["scs_draft"])
        db.session.commit()

        run = run_reconciliation(users["secretariat"], 2024)
        publish_release(users["secretariat"], 2024, homepage="http://localhost")
        # receipt comments are published (release data.json): this one is typed after the release,
        # so that only the live batch holds it
        batches["scs_filed"].receipts[0].comment = "MARK-SCS-FILED-RECEIPT"
        db.session.commit()

        # records the demo does not hold
        for side, who in (("a", "filer"), ("b", "other_filer")):
            query = FilingQuery(disclosure=sealed[side], question="Why?", status=QueryStatus.OPEN,
                                raised_by_id=users["secretariat"].id)
            db.session.add(query)
            draft_file = store_attachment(users[who], drafts[side], pdf_bytes(f"{side} draft"),
                                          f"mark-{side}-draft-file.pdf")
            sealed_file = Attachment(company_id=company[side].id, period_id=sealed[side].period_id,
                                     disclosure_id=sealed[side].id, original_name=f"{side}-sealed-file.pdf",
                                     stored_name=f"{side}sealed".ljust(64, "0"), sha256=f"{side}".ljust(64, "f"),
                                     media_type="application/pdf", size_bytes=10)
            db.session.add(sealed_file)
            db.session.flush()
            path = file_path(sealed_file)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(pdf_bytes(f"{side} sealed"))
            ids.update({f"{side}_company": company[side].id, f"{side}_draft": drafts[side].id,
                        f"{side}_sealed": sealed[side].id, f"{side}_query": query.id,
                        f"{side}_draft_line": drafts[side].payment_lines[0].id,
                        f"{side}_sealed_line": sealed[side].payment_lines[0].id,
                        f"{side}_filer_user": users[who].id,
                        f"{side}_licence": db.session.scalars(select(License.id).where(
                            License.company_id == company[side].id).order_by(License.id)).first(),
                        f"{side}_draft_attachment": draft_file.id, f"{side}_sealed_attachment": sealed_file.id})
        tokens = {}
        for who, user in users.items():
            row, tokens[who] = create_token(user, "route matrix")
            if who in ("filer", "other_filer"):
                ids[f"{'a' if who == 'filer' else 'b'}_token"] = row.id

        # a discrepancy query to each company and to each agency, on a line of the company's
        # with that agency (A pays royalty to the STS, B export duty to the SCS); an adjustment on each
        for side, entity in (("a", "sts"), ("b", "scs")):
            line = db.session.scalars(select(ReconciliationLine).where(
                ReconciliationLine.run_id == run.id, ReconciliationLine.company_inn == company[side].inn,
                ReconciliationLine.government_entity == entity.upper()).order_by(ReconciliationLine.position)).first()
            assert line is not None, f"no line of company {side.upper()} with the {entity.upper()} in the run"
            to_company = discrepancies.raise_query(users["secretariat"], run, line.position, "company", "Why?")
            to_agency = discrepancies.raise_query(users["secretariat"], run, line.position, "agency", "Why?")
            adjustment = discrepancies.propose_adjustment(users["secretariat"], to_company, "company", "100",
                                                          "timing", "Paid in January.", locale="en")
            ids.update({f"{side}_position": line.position, f"{side}_discrepancy_query": to_company.id,
                        f"{entity}_discrepancy_query": to_agency.id, f"{side}_adjustment": adjustment.id})
            # a file with each answer: the company's to its question, the agency's to its own
            for record, owner, key in ((to_company, users["filer" if side == "a" else "other_filer"], side),
                                       (to_agency, users["officer" if side == "a" else "other_officer"], entity)):
                ids[f"{key}_discrepancy_evidence"] = keep_evidence(
                    owner, DiscrepancyEvidence, check_file(pdf_bytes(f"{key} evidence"), f"{key}-order.pdf"),
                    query=record).id
        # a file with each company's answer to its filing query
        for side, who in (("a", "filer"), ("b", "other_filer")):
            ids[f"{side}_filing_evidence"] = keep_evidence(
                users[who], FilingQueryEvidence, check_file(pdf_bytes(f"{side} answer"), f"{side}-answer.pdf"),
                query=db.session.get(FilingQuery, ids[f"{side}_query"])).id
        db.session.commit()
        # the questions told each company's filers: a notification of A's filer and one of B's
        for side, who in (("a", "filer"), ("b", "other_filer")):
            ids[f"{side}_notification"] = db.session.scalars(select(Notification.id).where(
                Notification.user_id == users[who].id).order_by(Notification.id)).first()
            assert ids[f"{side}_notification"] is not None, f"{who} was told nothing"

        ids.update({"run": run.id, "c_review": review.id, "a_first_owner": _first_item(drafts["a"], "beneficial_owners"),
                    "a_inn": company["a"].inn, "region_code": company["a"].region.code,
                    "site_code": db.session.get(License, ids["a_licence"]).site.code,
                    "sts_agency": agency["sts"].id, "scs_agency": agency["scs"].id,
                    **{f"{key}_batch": batch.id for key, batch in batches.items()},
                    **{f"{key}_receipt": batch.receipts[0].id for key, batch in batches.items()},
                    "static_file": "style.css", "chart_page": "home"})
        ids.update(_seed_feedback(users, company, agency))
        db.session.commit()
    client = app.test_client()
    home = client.get("/").get_data(as_text=True)
    chart = re.search(r'/charts/home/([^"/]+)\.csv', home)
    assert chart, "the home page shows no chart"
    ids["chart_id"] = chart.group(1)
    ids["_tokens"] = tokens
    return ids


# --- writes: what a request committed, and undoing it ------------------------------------------

_WRITE = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
#: not changes of data: the bookkeeping of API tokens (``last_used_at``, at most once a minute) and
#: the no-op UPDATE that takes SQLite's write lock (``lifecycle.lock_row``)
_BOOKKEEPING = re.compile(r'^\s*UPDATE\s+"?(?:api_token"?\s+SET\s+"?last_used_at|\w+"?\s+SET\s+id\s*=\s*id\s)',
                          re.IGNORECASE)


class WriteLog:
    """Tables written by committed transactions, recorded from the engine's statements."""

    def __init__(self, engine) -> None:
        self._pending: dict[int, set[str]] = {}
        self.committed: set[str] = set()
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "rollback", self._rollback)

    def _statement(self, conn, cursor, statement, parameters, context, executemany) -> None:
        match = _WRITE.match(statement)
        if match and not _BOOKKEEPING.match(statement):
            self._pending.setdefault(id(conn), set()).add(match.group(1).lower())

    def _commit(self, conn) -> None:
        self.committed |= self._pending.pop(id(conn), set())

    def _rollback(self, conn) -> None:
        self._pending.pop(id(conn), None)

    def take(self) -> set[str]:
        written, self.committed = self.committed, set()
        return written


class Snapshot:
    """Every row of every table (and the attachment files) as seeded; ``restore`` puts back the
    tables written since, with every table that refers to them."""

    def __init__(self, app: Flask, attachments_dir: Path, copy_dir: Path) -> None:
        self.app, self.attachments_dir, self.copy_dir = app, attachments_dir, copy_dir
        with app.app_context():
            self.tables = list(db.metadata.sorted_tables)
            self.rows = {t.name: [dict(r._mapping) for r in db.session.execute(select(t).order_by(*t.primary_key))]
                         for t in self.tables}
        shutil.copytree(attachments_dir, copy_dir)

    def _closure(self, names: set[str]) -> set[str]:
        names = {n for n in names if n in self.rows}
        while True:
            more = {t.name for t in self.tables for fk in t.foreign_keys if fk.column.table.name in names}
            if more <= names:
                return names
            names |= more

    def restore(self, written: set[str]) -> None:
        names = self._closure(written)
        with self.app.app_context():
            for table in reversed(self.tables):
                if table.name in names:
                    db.session.execute(table.delete())
            for table in self.tables:
                if table.name in names and self.rows[table.name]:
                    db.session.execute(insert(table), self.rows[table.name])
            db.session.commit()
        shutil.rmtree(self.attachments_dir)
        shutil.copytree(self.copy_dir, self.attachments_dir)


# --- the cases ---------------------------------------------------------------------------------

#: the app whose URL map the cases are generated from (no database is opened for it)
_MAP_APP = make_app("sqlite://")


def _rules(app: Flask) -> list[Rule]:
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule))


def _methods(rule: Rule) -> list[str]:
    return sorted(m for m in rule.methods or () if m not in ("HEAD", "OPTIONS"))


def _targets(endpoint: str) -> list[Target]:
    targets = []
    for target in ROUTES.get(endpoint, ()):
        targets.append(target)
        if target.mirror:
            targets.append(target.mirrored())
    return targets


def _path_methods(app: Flask, rule: Rule) -> set[str]:
    """The methods any rule serves at this rule's address (sample values for its arguments)."""
    sample = {name: 1 if isinstance(rule._converters[name].to_python("1"), int) else "x"
              for name in rule.arguments}
    path = rule.build(sample, append_unknown=False)[1]
    return set(app.url_map.bind("localhost").allowed_methods(path)) - {"HEAD", "OPTIONS"}


@dataclasses.dataclass(frozen=True)
class Case:
    endpoint: str
    rule: str
    method: str
    target: Target
    actor: str
    expected: str

    @property
    def id(self) -> str:
        return "-".join(part for part in (self.endpoint, self.method, self.target.label, self.actor) if part)


def _cases() -> Iterator[Case]:
    for rule in _rules(_MAP_APP):
        targets = _targets(rule.endpoint)
        for target in targets:
            for method in _methods(rule):
                if method not in target.expect:
                    continue  # reported by test_every_route_has_an_entry
                for actor, expected in zip(ACTORS, target.expect[method]):
                    yield Case(rule.endpoint, rule.rule, method, target, actor, expected)
        if targets:  # a method the address does not serve: 405 before any permission check
            for method in sorted({"GET", "POST"} - _path_methods(_MAP_APP, rule)):
                for actor in ("anonymous", "filer", "secretariat"):
                    yield Case(rule.endpoint, rule.rule, method, targets[0], actor, "405")


CASES = list(_cases())


# --- sending and judging -----------------------------------------------------------------------

_CSRF_FAILURE = "The form expired or was sent from elsewhere"
#: a POST/PUT body refused after the permission check: invalid (400, 422), not possible in the
#: record's state (409), not multipart (415, the API's file uploads)
BODY_REFUSED = (400, 409, 415, 422)


def classify(response, method: str, api: bool) -> str:
    status = response.status_code
    if api and status == 401:
        return "login" if response.is_json else "401 (not JSON)"
    if 300 <= status < 400:
        location = urlsplit(response.headers.get("Location", ""))
        return "login" if location.path == "/login" else "ok"
    if 200 <= status < 300:
        return "ok"
    if status == 400 and _CSRF_FAILURE in response.get_data(as_text=True):
        return "400 (CSRF token refused: the test did not send a valid one)"
    if method != "GET" and status in BODY_REFUSED:
        return "ok"
    return str(status)


def body_text(response) -> str:
    """The answer as text, with the members of a ZIP (XLSX) answer and the headers."""
    data = response.get_data()
    parts = [str(response.headers)]
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                parts += [archive.read(name).decode("utf-8", "replace") for name in archive.namelist()]
        except zipfile.BadZipFile:
            parts.append(data.decode("utf-8", "replace"))
    else:
        parts.append(data.decode("utf-8", "replace"))
    return "\n".join(parts)


class Matrix:
    """The module's seeded app: sends one case and reports what happened."""

    def __init__(self, app: Flask, seeded: Seeded, writes: WriteLog, snapshot: Snapshot) -> None:
        self.app, self.seeded, self.writes, self.snapshot = app, seeded, writes, snapshot
        self._rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
        #: cases run so far, and the markers shown to an actor allowed to see them
        self.ran = 0
        self.seen: set[str] = set()

    def url(self, case: Case) -> str:
        rule = self._rules[case.endpoint]
        values = {name: FILL[kind](self.seeded) for name, kind in case.target.args.items()}
        built = rule.build(values, append_unknown=False)
        assert built is not None, f"could not build {rule.rule} from {values}"
        return built[1]

    def send(self, case: Case, url: str):
        api = url.startswith("/api/")
        client = self.app.test_client()
        headers: dict[str, str] = {}
        if api:
            if case.actor != "anonymous":
                headers["Authorization"] = f"Bearer {self.seeded.api_tokens[case.actor]}"
        else:
            client._cookies = dict(self.seeded.cookies[case.actor])
        if case.method == "GET":
            return client.get(url, headers=headers)
        if api:
            return client.open(url, method=case.method, json=case.target.body or {}, headers=headers)
        token = self.seeded.csrf[case.actor]
        return client.open(url, method=case.method, data={**(case.target.body or {}), "csrf_token": token},
                           headers={**headers, "X-CSRFToken": token})

    def run(self, case: Case) -> dict[str, Any]:
        url = self.url(case)
        self.ran += 1
        self.writes.take()
        try:
            response = self.send(case, url)
        except Exception as error:  # TESTING lets unexpected errors through: the user would see a 500
            written = self.writes.take()
            if written:
                self.snapshot.restore(written)
            return {"url": url, "outcome": f"500 ({type(error).__name__}: {error})", "status": 500,
                    "leaks": [], "written": written, "next": None}
        written = self.writes.take()
        if written:
            self.snapshot.restore(written)
        text = body_text(response)
        response.close()  # file answers (send_file) hold the file open until closed
        leaks = [m for m, allowed in MARKERS.items() if case.actor not in allowed and m in text]
        self.seen |= {m for m, allowed in MARKERS.items() if case.actor in allowed and m in text}
        location = urlsplit(response.headers.get("Location", ""))
        return {"url": url, "outcome": classify(response, case.method, url.startswith("/api/")),
                "status": response.status_code, "leaks": leaks, "written": written,
                "next": parse_qs(location.query).get("next")}


def build_matrix(database_url: str, tmp: Path) -> Matrix:
    attachments_dir = tmp / "attachments"
    attachments_dir.mkdir()
    app = make_app(database_url, ESG_ATTACHMENTS_DIR=str(attachments_dir))
    ids = seed(app)
    seeded = Seeded(app, ids, api_tokens=ids.pop("_tokens"))
    for actor in ACTORS:
        client = app.test_client()
        if actor != "anonymous":
            login(client, EMAILS[actor], DEMO_PASSWORD)
        seeded.csrf[actor] = csrf_token(client, "/" if actor != "anonymous" else "/login")
        seeded.cookies[actor] = dict(client._cookies)
    with app.app_context():
        writes = WriteLog(db.engine)
    snapshot = Snapshot(app, attachments_dir, tmp / "attachments-as-seeded")
    return Matrix(app, seeded, writes, snapshot)


@pytest.fixture(scope="module")
def matrix(migrated_database: str, tmp_path_factory) -> Iterator[Matrix]:
    built = build_matrix(migrated_database, tmp_path_factory.mktemp("route_matrix"))
    yield built
    with built.app.app_context():
        db.session.rollback()
        empty_domain_tables()
        db.engine.dispose()


# --- the tests ---------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_route_matrix(matrix: Matrix, case: Case) -> None:
    result = matrix.run(case)
    where = f"{case.method} {result['url']} ({case.endpoint}, target {case.target.label}) as {case.actor}"
    assert not result["outcome"].startswith("500"), f"{where}: {result['outcome']}"
    known = KNOWN_LEAKS.get((case.endpoint, case.actor))
    if not known:
        assert not result["leaks"], f"{where}: the answer shows {result['leaks']}, which the {case.actor} must not see"
    assert result["outcome"] == case.expected, (
        f"{where}: answered {result['status']} ({result['outcome']}), the table says {case.expected}")
    if case.expected != "ok" or case.method == "GET":
        assert not result["written"], f"{where}: answered {case.expected} but committed changes to {result['written']}"
    if case.expected == "login" and not result["url"].startswith("/api/"):
        # a page read is come back to after signing in; a form's POST-only address is not
        assert result["next"] == ([result["url"]] if case.method == "GET" else None), (
            f"{where}: sign-in link comes back to {result['next']}")
    if known:
        assert result["leaks"], f"{where}: the known leak is gone; remove it from KNOWN_LEAKS ({known})"
        pytest.xfail(f"known leak of {result['leaks']}: {known}")


def test_every_route_has_an_entry() -> None:
    """The table and the URL map agree: every endpoint has targets stating every method it serves."""
    rules = {rule.endpoint: rule for rule in _rules(_MAP_APP)}
    problems = []
    for endpoint, rule in sorted(rules.items()):
        if endpoint not in ROUTES:
            arguments = ", ".join(sorted(rule.arguments)) or "none"
            problems.append(f"{endpoint} ({rule.rule}, {', '.join(_methods(rule))}) has no entry: add one to ROUTES "
                            f"in tests/test_route_matrix.py with its URL arguments ({arguments}) and the expected "
                            f"answer of each actor for each method")
            continue
        for target in ROUTES[endpoint]:
            if set(target.args) != set(rule.arguments):
                problems.append(f"{endpoint} target {target.label}: fills {sorted(target.args)}, the route takes "
                                f"{sorted(rule.arguments)}")
            kinds = set(target.args.values()) | (set(target.mirrored().args.values()) if target.mirror else set())
            if kinds - set(FILL):
                problems.append(f"{endpoint} target {target.label}: no filler for {sorted(kinds - set(FILL))} in FILL")
            if set(target.expect) != set(_methods(rule)):
                problems.append(f"{endpoint} target {target.label}: states {sorted(target.expect)}, the route serves "
                                f"{_methods(rule)}")
    for endpoint in sorted(set(ROUTES) - set(rules)):
        problems.append(f"{endpoint} is in ROUTES but no longer in the URL map: remove or rename its entry")
    assert not problems, "tests/test_route_matrix.py is out of date:\n  " + "\n  ".join(problems)


def test_every_marker_is_planted(matrix: Matrix) -> None:
    """Guards the leak checks: each marker is in the seeded data."""
    with matrix.app.app_context():
        dump = repr(matrix.snapshot.rows)
    missing = [m for m in MARKERS if m not in dump]
    assert not missing, f"markers not in the seeded data: {missing}"


def test_every_marker_reached_an_actor_allowed_to_see_it(matrix: Matrix) -> None:
    """Guards the leak checks the other way: a marker that no answer shows would let them pass for nothing.
    Runs after the cases (pytest keeps the order of the file)."""
    if matrix.ran < len(CASES):
        pytest.skip("needs every case of test_route_matrix to have run first")
    unseen = sorted(set(MARKERS) - matrix.seen)
    assert not unseen, f"no answer to an actor allowed to see them showed {unseen}: plant them where a page shows them"
