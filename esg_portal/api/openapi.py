"""The OpenAPI 3.0 description of the machine API (GET /api/v1/openapi.json), written by hand.

Kept next to the views it describes; tests/api/test_api_openapi.py checks that every route
of the ``api`` blueprint is described here with its methods, and nothing else, and that
every ``$ref`` resolves. Describe a new endpoint here in the same change that adds it.
"""
from __future__ import annotations

import copy
from typing import Any

from ..notifications.events import Event

from ..disclosure.schemas import PaymentRowSchema
from ..receipts.schemas import ReceiptRowSchema

_ref = "#/components/{}/{}".format


def _schema(name: str) -> dict[str, str]:
    return {"$ref": _ref("schemas", name)}


def _json(schema: dict[str, Any], example: Any = None) -> dict[str, Any]:
    content: dict[str, Any] = {"schema": schema}
    if example is not None:
        content["example"] = example
    return {"application/json": content}


def _answer(description: str, schema: str, example: Any = None) -> dict[str, Any]:
    return {"description": description, "content": _json(_schema(schema), example)}


def _error(description: str, code: str) -> dict[str, Any]:
    return {"description": description,
            "content": _json(_schema("Error"), {"error": {"code": code, "message": description}})}


_STRING_OR_NULL = {"type": "string", "nullable": True}
_MONEY = {"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2}$", "example": "1234567.89",
          "description": "Money: a string with exactly 2 decimals, '.' as decimal mark, no grouping. Never a number."}
_TIME = {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", "example": "2026-03-31T09:15:02Z",
         "description": "ISO 8601 UTC to the second with Z."}

_EXAMPLE_PAYMENT = {"revenue_stream": "ROYALTY", "government_entity": "STS", "project": "", "amount": "1234567.89",
                    "currency": "KGS", "paid_in_kind": "no", "in_kind_volume": "", "in_kind_unit": "",
                    "recipient_locality": "", "comment": ""}
_EXAMPLE_CSV = ("revenue_stream,government_entity,project,amount,currency,paid_in_kind,in_kind_volume,in_kind_unit,"
                "recipient_locality,comment\r\nROYALTY,STS,,1234567.89,KGS,no,,,,\r\n")

_EXAMPLE_RECEIPT = {"company_inn": "01234567890123", "company_name": "", "revenue_stream": "ROYALTY",
                    "government_entity": "STS", "project": "", "amount": "1234567.89", "currency": "KGS",
                    "comment": ""}
_EXAMPLE_RECEIPTS_CSV = ("company_inn,company_name,revenue_stream,government_entity,project,amount,currency,comment\r\n"
                         "01234567890123,,ROYALTY,STS,,1234567.89,KGS,\r\n")

_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string", "example": "period_not_found",
                     "description": "Stable machine-readable code, e.g. unauthorized, forbidden, period_not_found, "
                                    "unknown_section, not_draft, period_closed, invalid, invalid_rows, too_large, "
                                    "unsupported_media_type, bad_request, too_many_requests."},
            "message": {"type": "string", "description": "What is wrong and how to fix it, in the user's language "
                                                         "(Accept-Language, else the account's language)."}}}},
    },
    "ValidationError": {
        "description": "422 for invalid fields: the messages per field name.",
        "allOf": [_schema("Error"), {"type": "object", "required": ["errors"], "properties": {"errors": {
            "type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}}],
    },
    "RowError": {
        "type": "object", "required": ["row", "column", "value", "message"],
        "properties": {
            "row": {"type": "integer", "nullable": True, "minimum": 1,
                    "description": "1-based data row (JSON list index + 1); null for file or header errors."},
            "column": {**_STRING_OR_NULL, "description": "Header name."},
            "value": {**_STRING_OR_NULL, "description": "The value as sent."},
            "message": {"type": "string"},
        },
    },
    "RowErrors": {
        "description": "422 for a refused upload (all-or-nothing): every error found.",
        "type": "object", "required": ["error", "errors"],
        "properties": {
            "error": {"type": "object", "required": ["code", "message"], "properties": {
                "code": {"type": "string", "enum": ["invalid_rows"]}, "message": {"type": "string"}}},
            "errors": {"type": "array", "items": _schema("RowError")},
        },
    },
    "TokenRequest": {
        "type": "object", "required": ["email", "password"], "additionalProperties": False,
        "properties": {"email": {"type": "string", "format": "email"}, "password": {"type": "string"},
                       "name": {"type": "string", "maxLength": 100,
                                "description": "Optional label shown in the token list (default: the date)."}},
    },
    "Token": {
        "type": "object", "required": ["token"],
        "properties": {"token": {"type": "string", "example": "esg_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG",
                                 "description": "Send as 'Authorization: Bearer <token>'. Shown once; stored "
                                                "hashed; listed and revoked under 'API tokens' in the portal."}},
    },
    "Period": {
        "type": "object", "required": ["year", "start_date", "end_date", "status", "usd_rate", "deadline"],
        "properties": {
            "year": {"type": "integer", "example": 2025,
                     "description": "The calendar year in which the fiscal year ends."},
            "start_date": {"type": "string", "format": "date"},
            "end_date": {"type": "string", "format": "date"},
            "status": {"type": "string", "enum": ["planned", "open", "closed"]},
            "usd_rate": {"type": "string", "nullable": True, "pattern": r"^[0-9]+\.[0-9]{4}$", "example": "87.4500",
                         "description": "1 USD in KGS for the period, 4 decimals; null until set."},
            "deadline": {**_TIME, "nullable": True, "description": "Filing deadline in UTC; null until set."},
        },
    },
    "PeriodList": {
        "type": "object", "required": ["data"],
        "properties": {"data": {"type": "array", "items": _schema("Period")}},
    },
    "Payment": PaymentRowSchema.json_schema(),
    "PaymentList": {"type": "array", "items": _schema("Payment"), "maxItems": 50000},
    "Receipt": ReceiptRowSchema.json_schema(),
    "ReceiptList": {"type": "array", "items": _schema("Receipt"), "maxItems": 50000},
    "Licence": {
        "type": "object",
        "properties": {
            "number": {"type": "string"}, "kind": {"type": "string"}, "project_name": {"type": "string"},
            "site": _STRING_OR_NULL, "minerals": {"type": "array", "items": {"type": "string"}},
            "issued_on": {"type": "string", "format": "date", "nullable": True},
            "expires_on": {"type": "string", "format": "date", "nullable": True},
            "status": {"type": "string"},
        },
    },
    "Profile": {
        "type": "object",
        "description": "The company register entry: live in a draft, copied into the version at submission.",
        "properties": {
            "inn": {"type": "string", "pattern": r"^[0-9]{14}$"}, "legal_name": {"type": "string"},
            "legal_form": _STRING_OR_NULL, "address": _STRING_OR_NULL, "region": _STRING_OR_NULL,
            "state_share_pct": {**_STRING_OR_NULL, "example": "30.00"},
            "is_state_share_free_carried": {"type": "boolean"}, "is_soe": {"type": "boolean"},
            "website": _STRING_OR_NULL, "listing": _STRING_OR_NULL, "audited_statements_url": _STRING_OR_NULL,
            "licences": {"type": "array", "items": _schema("Licence")},
        },
    },
    "Declaration": {
        "type": "object", "required": ["kind", "reason"],
        "properties": {"kind": {"type": "string", "enum": ["nil", "not_applicable"]}, "reason": {"type": "string"}},
    },
    "FilingDocument": {
        "type": "object",
        "required": ["year", "company", "version", "status", "submitted_at", "sha256", "declarations", "sections"],
        "description": "The latest version of the company's filing. sha256 is the hash of the canonical JSON "
                       "(sorted keys, UTF-8, no insignificant spaces) of this document without status, "
                       "submitted_at and sha256.",
        "properties": {
            "year": {"type": "integer"},
            "company": {"type": "object", "required": ["inn", "name"],
                        "properties": {"inn": {"type": "string"}, "name": {"type": "string"}}},
            "version": {"type": "integer", "minimum": 1},
            "status": {"type": "string",
                       "enum": ["draft", "submitted", "queried", "answered", "accepted", "superseded"]},
            "submitted_at": {**_TIME, "nullable": True},
            "sha256": {"type": "string", "nullable": True, "pattern": "^[0-9a-f]{64}$"},
            "declarations": {"type": "object", "additionalProperties": _schema("Declaration"),
                             "description": "Explicit nil / not-applicable answers per section (an addition to "
                                            "INTERFACES.md §4)."},
            "sections": {
                "type": "object",
                "required": ["payments", "eia", "social_agreements", "public_hearings", "workforce", "production",
                             "profile"],
                "properties": {
                    "payments": {"type": "array", "items": _schema("Payment"),
                                 "description": "Sorted by the §3 columns; amounts as strings."},
                    "eia": {"type": "array", "items": {"type": "object"}},
                    "social_agreements": {"type": "array", "items": {"type": "object"}},
                    "public_hearings": {"type": "array", "items": {"type": "object"}},
                    "workforce": {"type": "object"},
                    "production": {"type": "array", "items": {"type": "object"}},
                    "profile": _schema("Profile"),
                },
            },
        },
    },
    "Notification": {
        "type": "object", "required": ["id", "event", "created_at", "read", "text", "url"],
        "properties": {
            "id": {"type": "integer"},
            "event": {"type": "string", "enum": [e.value for e in Event],
                      "description": "What happened (a question, an answer, an acceptance, a reminder…)."},
            "created_at": {"type": "string", "format": "date-time", "description": "UTC, to the second, with Z."},
            "read": {"type": "boolean"},
            "subject": {"type": "string", "description": "A short title, in the user's language."},
            "text": {"type": "string", "description": "The sentence, in the user's language."},
            "url": {"type": "string", "format": "uri", "description": "Where to look at it in the portal."},
        }},
    "NotificationList": {
        "type": "object", "required": ["data", "unread"],
        "properties": {"data": {"type": "array", "items": _schema("Notification")},
                       "unread": {"type": "integer", "minimum": 0}}},
    "Lines": {"type": "object", "required": ["lines"],
              "properties": {"lines": {"type": "integer", "minimum": 0,
                                       "description": "Lines the section holds now."}}},
    "SubmitRequest": {
        "type": "object", "required": ["attested_by_name", "attested_by_position"], "additionalProperties": False,
        "properties": {"attested_by_name": {"type": "string", "maxLength": 255},
                       "attested_by_position": {"type": "string", "maxLength": 255}},
    },
    "FilingSubmitRequest": {
        "type": "object", "required": ["attested_by_name", "attested_by_position"], "additionalProperties": False,
        "properties": {"attested_by_name": {"type": "string", "maxLength": 255},
                       "attested_by_position": {"type": "string", "maxLength": 255},
                       "confirm_carried_over": {
                           "type": "string", "example": "beneficial_owners,social_agreements",
                           "description": "Sections copied from last year's filing that nobody has confirmed or "
                                          "edited yet, confirmed as still true (comma-separated keys). Without "
                                          "them such a draft is refused with 422 naming the sections."}},
    },
    "Submission": {
        "type": "object", "required": ["version", "submitted_at", "sha256"],
        "properties": {"version": {"type": "integer"}, "submitted_at": _TIME,
                       "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"}},
    },
    "AmendmentRequest": {
        "type": "object", "required": ["reason"], "additionalProperties": False,
        "properties": {"reason": {"type": "string", "maxLength": 2000,
                                  "example": "The Q4 royalty was left out."}},
    },
    "Amendment": {"type": "object", "required": ["version"], "properties": {"version": {"type": "integer"}}},
}

_RESPONSES: dict[str, Any] = {
    "BadRequest": _error("The body is not valid JSON, or not a JSON object.", "bad_request"),
    "Unauthorized": {**_error("No token, or an unknown, revoked or deactivated one.", "unauthorized"),
                     "headers": {"WWW-Authenticate": {"schema": {"type": "string"},
                                                      "description": "Bearer realm=\"esg_portal\""}}},
    "Forbidden": _error("The token's user may not do this (not a company filer; not a signatory).", "forbidden"),
    "PeriodNotFound": _error("There is no reporting period for this year.", "period_not_found"),
    "TooLarge": _error("The body is over 10 MB or holds more than 50,000 rows.", "too_large"),
    "UnsupportedMediaType": _error("The body is in a format this endpoint does not read.", "unsupported_media_type"),
    "Invalid": {"description": "Invalid fields; nothing was changed.",
                "content": _json(_schema("ValidationError"),
                                 {"error": {"code": "invalid", "message": "Some values are not valid."},
                                  "errors": {"attested_by_name": [
                                      "Enter the full name of the person attesting the filing."]}})},
    "Conflict": {"description": "The filing is not in a state that allows this (not_draft, period_closed, "
                                "nothing_submitted, draft_exists), or If-Match names an older state than the "
                                "stored one (stale, with the current state in `revision`). Of parallel submissions "
                                "or amendments exactly one succeeds; the others get this answer.",
                 "content": _json(_schema("Error"), {"error": {"code": "not_draft", "message": "…"}})},
}

_IF_MATCH = {"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string", "example": '"1.3"'},
             "description": "The ETag of the filing or batch as last read (GET /filings/{year} sends it; \"1.0\" "
                            "when nothing is stored yet). When the stored document has changed since, the write is "
                            "refused with 409 stale and nothing changes. Without it the write replaces whatever is "
                            "stored."}
_YEAR = {"name": "year", "in": "path", "required": True, "schema": {"type": "integer", "example": 2025},
         "description": "The fiscal year, named by the calendar year in which it ends."}
_SECTION_NAMES = ("payments", "eia", "social_agreements", "public_hearings", "workforce", "production",
                  "beneficial_owners")
_SECTION = {"name": "section", "in": "path", "required": True,
            "schema": {"type": "string", "enum": list(_SECTION_NAMES)},
            "description": "The section to replace: payments (CSV or JSON) or an ESG section (JSON, the schema "
                           "Section_<name>). beneficial_owners accepts date_of_birth and id_document, which are "
                           "kept for the EITI secretariat only and never returned by GET."}


def _ref_response(name: str) -> dict[str, str]:
    return {"$ref": _ref("responses", name)}


_FILER = ("For company filers only (the token's user belongs to exactly one company); other roles get 403.")

_OFFICER = "For agency officers only (the token's user reports for one government agency); other roles get 403."

#: the errors of a POST with a JSON body on a period (submit, amendment)
_JSON_WRITE_ERRORS = {
    "400": _ref_response("BadRequest"),
    "401": _ref_response("Unauthorized"), "403": _ref_response("Forbidden"),
    "404": _ref_response("PeriodNotFound"),
    "409": _ref_response("Conflict"),
    "415": _ref_response("UnsupportedMediaType"),
    "422": _ref_response("Invalid"),
}


_PATHS: dict[str, Any] = {
    "/auth/token": {"post": {
        "operationId": "issueToken", "tags": ["auth"], "security": [],
        "summary": "Exchange e-mail and password for an API token",
        "description": "Sign-in attempts are throttled like the sign-in form: after repeated failures the account "
                       "is locked for a while (429).",
        "requestBody": {"required": True, "content": _json(_schema("TokenRequest"),
                                                           {"email": "filer1@demo.kg", "password": "…"})},
        "responses": {
            "200": _answer("The new token (shown once).", "Token"),
            "400": _ref_response("BadRequest"),
            "401": _error("Wrong e-mail address or password, an inactive account, or no credentials.",
                          "unauthorized"),
            "422": _ref_response("Invalid"),
            "429": _error("Too many failed sign-in attempts: wait and try again.", "too_many_requests"),
        },
    }},
    "/periods": {"get": {
        "operationId": "listPeriods", "tags": ["periods"], "summary": "Reporting periods, oldest first",
        "responses": {"200": _answer("Every reporting period.", "PeriodList"),
                      "401": _ref_response("Unauthorized")},
    }},
    "/filings/{year}": {"get": {
        "operationId": "getFiling", "tags": ["filings"], "summary": "The latest version of the company's filing",
        "description": _FILER + " Drafts included. With nothing stored yet: version 1, status draft, empty "
                                "sections and the current company profile; nothing is stored by asking. The body "
                                "changes only when the filing changes.",
        "parameters": [_YEAR],
        "responses": {"200": {**_answer("The filing document.", "FilingDocument"), "headers": {"ETag": {
                          "description": "The saved state: \"version.revision\" (send it back in If-Match).",
                          "schema": {"type": "string"}}}},
                      "401": _ref_response("Unauthorized"), "403": _ref_response("Forbidden"),
                      "404": _ref_response("PeriodNotFound")},
    }},
    "/filings/{year}/{section}": {"put": {
        "operationId": "replaceSection", "tags": ["filings"], "summary": "Replace one section of the draft",
        "description": _FILER + " Opens the draft (creating version 1 if nothing exists) and replaces the section "
                                "with the body: sending the same body twice gives the same state. All or nothing: "
                                "a refused body changes nothing.",
        "parameters": [_YEAR, _SECTION, _IF_MATCH],
        "requestBody": {"required": True, "content": {
            "text/csv": {"schema": {"type": "string"}, "example": _EXAMPLE_CSV},
            "application/json": {"schema": {"oneOf": [_schema("PaymentList"), *(
                _schema(f"Section_{name}") for name in _SECTION_NAMES[1:])]}, "example": [_EXAMPLE_PAYMENT]},
        }, "description": "CSV (headers by name, any order, UTF-8 or Windows-1251) or a JSON list of §3 objects "
                          "with amounts as decimal strings. [] empties the section (a CSV must hold at least "
                          "one row)."},
        "responses": {
            "200": _answer("The section now holds this many lines.", "Lines", {"lines": 1}),
            "400": _ref_response("BadRequest"),
            "401": _ref_response("Unauthorized"), "403": _ref_response("Forbidden"),
            "404": {"description": "No such period (period_not_found) or section (unknown_section).",
                    "content": _json(_schema("Error"))},
            "409": _ref_response("Conflict"),
            "413": _ref_response("TooLarge"),
            "415": _ref_response("UnsupportedMediaType"),
            "422": {"description": "Refused rows: every error found; nothing was saved.",
                    "content": _json(_schema("RowErrors"), {
                        "error": {"code": "invalid_rows", "message": "The file was not accepted: 1 error. "
                                                                     "Nothing was saved."},
                        "errors": [{"row": 1, "column": "currency", "value": "EUR",
                                    "message": "“EUR” is not an accepted currency. Write KGS or USD."}]})},
        },
    }},
    "/filings/{year}/submit": {"post": {
        "operationId": "submitFiling", "tags": ["filings"], "summary": "Attest and submit the draft",
        "description": _FILER + " Only a user marked as the company's signatory may submit. The standard "
                                "attestation in the user's language is stored with the version. Empty sections "
                                "are submitted as not provided.",
        "parameters": [_YEAR, _IF_MATCH],
        "requestBody": {"required": True, "content": _json(_schema("FilingSubmitRequest"), {
            "attested_by_name": "Aibek Toktogulov", "attested_by_position": "Chief accountant"})},
        "responses": {"200": _answer("The submitted version.", "Submission"), **_JSON_WRITE_ERRORS},
    }},
    "/filings/{year}/amendments": {"post": {
        "operationId": "amendFiling", "tags": ["filings"], "summary": "Start an amendment",
        "description": _FILER + " Opens the next version as a draft, pre-filled from the last submitted one; it "
                                "supersedes that version when it is submitted.",
        "parameters": [_YEAR],
        "requestBody": {"required": True, "content": _json(_schema("AmendmentRequest"))},
        "responses": {"201": _answer("The new draft version.", "Amendment", {"version": 2}), **_JSON_WRITE_ERRORS},
    }},
    "/receipts/{year}": {"put": {
        "operationId": "replaceReceipts", "tags": ["receipts"], "summary": "Replace the receipts of the agency's draft",
        "description": _OFFICER + " Opens the agency's draft batch (version 1, or the open correction) and replaces "
                                  "its receipts with the body: sending the same body twice gives the same state. All "
                                  "or nothing: a refused body changes nothing. An unknown INN with a company_name "
                                  "adds an unregistered company; government_entity must be the officer's agency.",
        "parameters": [_YEAR, _IF_MATCH],
        "requestBody": {"required": True, "content": {
            "text/csv": {"schema": {"type": "string"}, "example": _EXAMPLE_RECEIPTS_CSV},
            "application/json": {"schema": _schema("ReceiptList"), "example": [_EXAMPLE_RECEIPT]},
        }},
        "responses": {
            "200": _answer("The draft batch now holds this many receipts.", "Lines", {"lines": 1}),
            "400": _ref_response("BadRequest"),
            "401": _ref_response("Unauthorized"), "403": _ref_response("Forbidden"),
            "404": _ref_response("PeriodNotFound"),
            "409": _ref_response("Conflict"),
            "413": _ref_response("TooLarge"),
            "415": _ref_response("UnsupportedMediaType"),
            "422": {"description": "Refused rows: every error found; nothing was saved.",
                    "content": _json(_schema("RowErrors"))},
        },
    }},
    "/receipts/{year}/submit": {"post": {
        "operationId": "submitReceipts", "tags": ["receipts"], "summary": "Attest and submit the draft batch",
        "description": _OFFICER + " The standard attestation in the user's language is stored with the batch; "
                                  "earlier submitted versions become superseded. Corrections after submission are "
                                  "a new batch version with a reason (web page).",
        "parameters": [_YEAR, _IF_MATCH],
        "requestBody": {"required": True, "content": _json(_schema("SubmitRequest"), {
            "attested_by_name": "Nurlan Asanov", "attested_by_position": "Head of revenue accounting"})},
        "responses": {"200": _answer("The submitted version.", "Submission"), **_JSON_WRITE_ERRORS},
    }},
    "/notifications": {"get": {
        "operationId": "listNotifications", "tags": ["notifications"], "summary": "The user's notifications",
        "description": "Every signed-in role. Newest first, in the user's language; at most 200 per answer.",
        "parameters": [
            {"name": "limit", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 0, "maximum": 200, "default": 50}},
            {"name": "offset", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0}}],
        "responses": {"200": _answer("The notifications and the unread count.", "NotificationList"),
                      "401": _ref_response("Unauthorized"), "422": _ref_response("Invalid")},
    }},
    "/notifications/{notification_id}/read": {"post": {
        "operationId": "readNotification", "tags": ["notifications"], "summary": "Mark a notification read",
        "parameters": [{"name": "notification_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "Marked read.", "content": _json(
                          {"type": "object", "properties": {"id": {"type": "integer"}, "read": {"type": "boolean"}}},
                          {"id": 7, "read": True})},
                      "401": _ref_response("Unauthorized"),
                      "404": {"description": "No such notification of this user.",
                              "content": _json(_schema("Error"))}},
    }},
    "/openapi.json": {"get": {
        "operationId": "getOpenApi", "tags": ["meta"], "summary": "This document",
        "description": "Readable without a token: it holds no data.", "security": [],
        "responses": {"200": {"description": "The OpenAPI 3.0 document.",
                              "content": {"application/json": {"schema": {"type": "object"}}}}},
    }},
}

# --- reconciliations (api/reconciliations.py) -------------------------------------------

_SECRETARIAT = "For the EITI secretariat only; other roles get 403."
_MONEY_OR_NULL = {**_MONEY, "nullable": True}
_PCT_OR_NULL = {"type": "string", "nullable": True, "pattern": r"^-?[0-9]+\.[0-9]{2}$", "example": "-3.45",
                "description": "A percentage with exactly 2 decimals, rounded half-even; null when not defined."}
_LINE_STATUSES = ["reconciled", "discrepancy", "company_only", "government_only", "not_reported",
                  "not_participating", "not_applicable"]

_SCHEMAS.update({
    "ReconciliationSummary": {
        "type": "object",
        "required": ["year", "run", "run_at", "currency", "totals", "lines", "counts", "coverage_pct",
                     "non_reporting"],
        "properties": {
            "year": {"type": "integer", "example": 2025},
            "run": {"type": "integer", "minimum": 1, "description": "The run's number within the period."},
            "run_at": _TIME,
            "currency": {"type": "string", "enum": ["KGS"],
                         "description": "Currency of every amount; USD amounts are converted at the period rate."},
            "totals": {"type": "object", "required": ["company_amount", "government_amount", "gap"],
                       "description": "Sums of the final figures of every line; gap = government − company.",
                       "properties": {"company_amount": _MONEY, "government_amount": _MONEY, "gap": _MONEY}},
            "lines": {"type": "integer", "minimum": 0, "description": "Number of lines of the run."},
            "counts": {"type": "object", "description": "Number of lines per status (every status present).",
                       "properties": {status: {"type": "integer", "minimum": 0} for status in _LINE_STATUSES}},
            "coverage_pct": {**_PCT_OR_NULL, "example": "97.50",
                             "description": "Government amount on two-sided lines ÷ total government extractive "
                                            "revenue (including streams marked Not included, which have no "
                                            "lines) × 100; null when that total is 0."},
            "non_reporting": {"type": "array", "description": "In-scope companies that filed nothing (DNR) and "
                                                              "companies that did not participate (DNP).",
                              "items": {"type": "object", "properties": {
                                  "company_inn": {"type": "string"}, "company_name": {"type": "string"},
                                  "status": {"type": "string", "enum": ["not_reported", "not_participating"]},
                                  "reason": {"type": "string"},
                                  "government_amount": {**_MONEY, "description": "What the government reported "
                                                                                 "receiving from the company."},
                                  "lines": {"type": "integer"}}}},
        },
    },
    "ReconciliationLine": {
        "type": "object",
        "required": ["company_inn", "revenue_stream", "government_entity", "project", *[
            f"{side}_{what}" for what in ("initial", "adjustment", "final") for side in ("company", "government")],
            "initial_gap", "final_gap", "gap_pct", "pct_of_government_total", "status", "explanation"],
        "properties": {
            "company_inn": {"type": "string", "pattern": "^[0-9]{14}$"},
            "revenue_stream": {"type": "string"}, "government_entity": {"type": "string"},
            "project": {"type": "string", "description": "Licence number; \"\" when the line is at company level."},
            "company_initial": _MONEY_OR_NULL, "government_initial": _MONEY_OR_NULL,
            "initial_gap": {**_MONEY_OR_NULL, "description": "government − company; null on a one-sided line."},
            "company_adjustment": {**_MONEY_OR_NULL, "description": "Sum of the accepted adjustments; null if none."},
            "government_adjustment": _MONEY_OR_NULL,
            "company_final": _MONEY_OR_NULL, "government_final": _MONEY_OR_NULL,
            "final_gap": {**_MONEY_OR_NULL, "description": "Final unreconciled difference, government − company."},
            "gap_pct": {**_PCT_OR_NULL, "description": "final_gap ÷ final government amount × 100 (÷ company "
                                                       "when government is 0; 0.00 when both are 0)."},
            "pct_of_government_total": {**_PCT_OR_NULL, "description": "final_gap ÷ the government total of all "
                                                                       "lines × 100."},
            "status": {"type": "string", "enum": _LINE_STATUSES},
            "explanation": {"type": "string", "example": "timing",
                            "description": "Reason codes of the accepted adjustments, sorted, comma-separated."},
        },
    },
    "ReconciliationLines": {
        "type": "object", "required": ["run", "data"],
        "properties": {"run": {"type": "integer", "minimum": 1},
                       "data": {"type": "array", "items": _schema("ReconciliationLine"),
                                "description": "Sorted by company_inn, revenue_stream, government_entity, "
                                               "project."}},
    },
})

_PATHS.update({
    "/reconciliations/{year}": {"post": {
        "operationId": "runReconciliation", "tags": ["reconciliations"], "summary": "Run the period's reconciliation",
        "description": _SECRETARIAT + " Reconciles the latest submitted (or queried, answered, accepted) version of "
                                      "every company filing against the latest submitted receipt batch of every "
                                      "agency, under the period settings and the accepted adjustments, and stores "
                                      "the run as the next number.",
        "parameters": [_YEAR],
        "requestBody": {"required": False, "content": _json({"type": "object", "maxProperties": 0}, {}),
                        "description": "Nothing needs to be sent; a body is ignored."},
        "responses": {
            "200": _answer("The stored run's summary.", "ReconciliationSummary"),
            "401": _ref_response("Unauthorized"), "403": _ref_response("Forbidden"),
            "404": _ref_response("PeriodNotFound"),
            "422": {"description": "Nothing has been submitted for the period yet, or USD amounts and no USD rate.",
                    "content": _json(_schema("ValidationError"))},
        },
    }},
    "/reconciliations/{year}/lines": {"get": {
        "operationId": "getReconciliationLines", "tags": ["reconciliations"],
        "summary": "The line table of the latest run",
        "description": _SECRETARIAT,
        "parameters": [_YEAR, {"name": "run", "in": "query", "required": False,
                               "schema": {"type": "integer", "minimum": 1},
                               "description": "A run number of the period (default: the latest run)."}],
        "responses": {
            "200": _answer("The run's lines.", "ReconciliationLines"),
            "400": _error("The run parameter is not a run number.", "bad_request"),
            "401": _ref_response("Unauthorized"), "403": _ref_response("Forbidden"),
            "404": {"description": "No such period (period_not_found), or no run yet / no run of that number "
                                   "(no_run).", "content": _json(_schema("Error"),
                                                                 {"error": {"code": "no_run", "message": "…"}})},
        },
    }},
})

# --- attachments (api/attachments.py) ------------------------------------------------------

_ATTACHMENT_TYPES = ["application/pdf", "image/jpeg", "image/png"]
_SCHEMAS.update({
    "Attachment": {
        "type": "object", "required": ["id", "sha256", "media_type", "size", "name", "title", "uploaded_at"],
        "properties": {
            "id": {"type": "integer"},
            "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$",
                       "description": "How sections name the file (e.g. an EIA conclusion, a signed agreement)."},
            "media_type": {"type": "string", "enum": _ATTACHMENT_TYPES,
                           "description": "Detected from the content, not taken from the request."},
            "size": {"type": "integer", "minimum": 1, "description": "Bytes."},
            "name": {"type": "string", "example": "conclusion.pdf", "description": "The file name as sent."},
            "title": {**_STRING_OR_NULL, "example": "EIA conclusion No. 12/2024"},
            "uploaded_at": _TIME,
        },
    },
    "AttachmentList": {"type": "object", "required": ["data"],
                       "properties": {"data": {"type": "array", "items": _schema("Attachment"),
                                               "description": "Oldest first."}}},
})

_RAW_FILE = {"schema": {"type": "string", "format": "binary"}}
_PATHS.update({
    "/filings/{year}/attachments": {
        "post": {
            "operationId": "uploadAttachment", "tags": ["filings"], "summary": "Attach a file to the draft",
            "description": _FILER + " Opens the draft (creating version 1 if nothing exists) and keeps the file. "
                                    "A PDF, JPEG or PNG, judged by its content (a renamed program is refused), "
                                    "at most ESG_MAX_ATTACHMENT_MB (20 MB by default, more than other uploads). "
                                    "The file name must be a plain name (no folder, drive or control characters) "
                                    "whose extension agrees with the content (.pdf, .jpg/.jpeg, .png). The same "
                                    "file twice in one period is refused. Files are seen only by the company and, "
                                    "once the version is submitted, by the EITI secretariat.",
            "parameters": [_YEAR],
            "requestBody": {"required": True, "content": {
                "multipart/form-data": {"schema": {
                    "type": "object", "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary",
                                            "description": "The file, with its file name."},
                                   "title": {"type": "string", "maxLength": 255}}}},
                **{media_type: _RAW_FILE for media_type in _ATTACHMENT_TYPES},
            }, "description": "Either multipart/form-data with the field file (and title), or the file itself as "
                              "the body with its Content-Type, which must agree with the content, and the headers "
                              "X-Filename (required: the file name) and X-Title (optional), letters beyond ASCII "
                              "percent-encoded as UTF-8 (X-Filename: %D0%90%D0%A7%D0%A2%D0%91.pdf)."},
            "responses": {
                "201": _answer("The stored file.", "Attachment"),
                "401": _ref_response("Unauthorized"), "403": _ref_response("Forbidden"),
                "404": _ref_response("PeriodNotFound"),
                "409": _ref_response("Conflict"),
                "413": _error("The file is over ESG_MAX_ATTACHMENT_MB; nothing was stored.", "too_large"),
                "415": _ref_response("UnsupportedMediaType"),
                "422": {"description": "The file was refused (errors.file says why); nothing was stored.",
                        "content": _json(_schema("ValidationError"), {
                            "error": {"code": "invalid", "message": "Some values are not valid."},
                            "errors": {"file": ["This file is not a PDF, JPEG or PNG document. A file is judged by "
                                                "its content, not by its name."]}})},
            },
        },
        "get": {
            "operationId": "listAttachments", "tags": ["filings"], "summary": "The company's files for the period",
            "description": _FILER + " Every file of the company for the period, of every version; nothing is stored "
                                    "by asking.",
            "parameters": [_YEAR],
            "responses": {"200": _answer("The files.", "AttachmentList"),
                          "401": _ref_response("Unauthorized"), "403": _ref_response("Forbidden"),
                          "404": _ref_response("PeriodNotFound")},
        },
    },
})

OPENAPI: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "esg_portal machine API",
        "version": "1.0.0",
        "description": "The ESG/EITI disclosure portal of the mining sector of the Kyrgyz Republic, for companies' "
                       "accounting systems (INTERFACES.md §4). Every request but POST /auth/token carries "
                       "'Authorization: Bearer <token>'; session cookies are not accepted. Errors are "
                       "{\"error\": {\"code\", \"message\"}} with the HTTP status; messages follow Accept-Language "
                       "(ky, ru, en), else the account's language. Money is a string with 2 decimals; times are "
                       "ISO 8601 UTC with Z. The EITI secretariat runs reconciliations and reads their lines.",
        "license": {"name": "AGPL-3.0-or-later"},
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearerAuth": []}],
    "tags": [{"name": "auth"}, {"name": "periods"}, {"name": "filings"}, {"name": "receipts"}, {"name": "reconciliations"},
             {"name": "meta"}],
    "paths": _PATHS,
    "components": {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                           "description": "A token from POST /auth/token or from 'API tokens' in "
                                                          "the portal."}},
        "schemas": _SCHEMAS,
        "responses": _RESPONSES,
    },
}


def _with_sections(document: dict[str, Any]) -> dict[str, Any]:
    """The ESG section schemas, derived from the sections' own rules (imported late: the registry fills on use)."""
    from ..disclosure.sections import all_specs
    from ..disclosure.sections.jsonschema import section_json_schema
    schemas = document["components"]["schemas"]
    sections = schemas["FilingDocument"]["properties"]["sections"]
    for spec in all_specs():
        schemas[f"Section_{spec.key}"] = section_json_schema(spec)
        sections["properties"][spec.key] = _schema(f"Section_{spec.key}")
        if spec.key not in sections["required"]:
            sections["required"].append(spec.key)
    return document


_with_sections(OPENAPI)


def _with_publication(document: dict[str, Any]) -> dict[str, Any]:
    """The release endpoint and the public API (generated from the public resources' schemas)."""
    from .openapi_public import public_paths
    paths, schemas = public_paths()
    document["paths"].update(paths)
    document["components"]["schemas"].update(schemas)
    document["tags"] += [{"name": "publication"}, {"name": "public"}]
    return document


_with_publication(OPENAPI)


def openapi_document() -> dict[str, Any]:
    """A copy of the document (callers may change theirs)."""
    return copy.deepcopy(OPENAPI)
