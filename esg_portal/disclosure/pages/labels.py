"""Labels shared by the filing pages, the difference between versions and the filing receipt."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..models import DeclarationKind

#: section keys of the filing document → their names
SECTION_LABELS = {
    "profile": _l("Company profile"),
    "licences": _l("Licences"),
    "payments": _l("Payments to the state"),
    "eia": _l("Environmental impact assessments"),
    "social_agreements": _l("Social agreements"),
    "public_hearings": _l("Public hearings"),
    "workforce": _l("Workforce"),
    "production": _l("Production and exports"),
    "beneficial_owners": _l("Beneficial owners"),
    "declarations": _l("Nil and not-applicable answers"),
}
#: field keys of the filing document → their names (profile, licences, payments, declarations)
FIELD_LABELS = {
    # profile
    "legal_name": _l("Legal name"),
    "inn": _l("INN"),
    "legal_form": _l("Legal form"),
    "address": _l("Address"),
    "region": _l("Region"),
    "state_share_pct": _l("State share"),
    "is_state_share_free_carried": _l("State share is free-carried"),
    "is_soe": _l("State-owned enterprise"),
    "website": _l("Website"),
    "listing": _l("Stock exchange listing"),
    "audited_statements_url": _l("Audited financial statements"),
    # licences
    "number": _l("Licence number"),
    "kind": _l("Type"),
    "project_name": _l("Project"),
    "site": _l("Site"),
    "minerals": _l("Minerals"),
    "issued_on": _l("Issued on"),
    "expires_on": _l("Expires on"),
    "status": _l("Status"),
    # payments (the same words as the payment form)
    "revenue_stream": _l("Revenue stream"),
    "government_entity": _l("Government entity"),
    "project": _l("Project (licence)"),
    "amount": _l("Amount"),
    "currency": _l("Currency"),
    "paid_in_kind": _l("Paid in kind"),
    "in_kind_volume": _l("Volume delivered"),
    "in_kind_unit": _l("Unit of the volume"),
    "recipient_locality": _l("Recipient aiyl okmotu or town"),
    "comment": _l("Comment"),
    # declarations
    "reason": _l("Reason"),
    # the markers of diff.diff_documents
    "*added*": _l("Added"),
    "*removed*": _l("Removed"),
    "*content*": _l("Content"),
}
#: the profile as the pages list it
PROFILE_FIELDS = ("legal_name", "inn", "legal_form", "address", "region", "state_share_pct",
                  "is_state_share_free_carried", "is_soe", "website", "listing", "audited_statements_url")


DECLARATION_LABELS = {
    DeclarationKind.NIL.value: _l("Nil: nothing to report for this period"),
    DeclarationKind.NOT_APPLICABLE.value: _l("Not applicable to our company"),
}
#: for payments the nil answer has its own words
PAYMENT_DECLARATION_LABELS = {
    DeclarationKind.NIL.value: _l("No payments in this period"),
    DeclarationKind.NOT_APPLICABLE.value: _l("Not applicable"),
}
#: the filing receipt's labels (keys of reports.LABELS_EN), translated
RECEIPT_LABELS = {
    "portal_name": _l("ESG/EITI disclosure portal · Mining sector of the Kyrgyz Republic"),
    "title": _l("Filing receipt"),
    "company": _l("Company"),
    "inn": _l("INN"),
    "legal_form": _l("Legal form"),
    "address": _l("Address"),
    "period": _l("Reporting period"),
    "version": _l("Version"),
    "status": _l("Status"),
    "submitted_at": _l("Submitted on"),
    "amendment_reason": _l("Reason for amendment"),
    "sha256": _l("SHA-256"),
    "attestation": _l("Attestation"),
    "attested_by": _l("Attested by"),
    "payments": _l("Payments to government"),
    "no_lines": _l("No payment lines were filed."),
    "col_number": _l("#"),
    "col_revenue_stream": _l("Revenue stream"),
    "col_gfs_code": _l("GFS code"),
    "col_government_entity": _l("Government entity"),
    "col_project": _l("Project"),
    "col_amount": _l("Amount"),
    "col_currency": _l("Currency"),
    "col_in_kind": _l("In kind"),
    "col_comment": _l("Comment"),
    "totals_by_stream": _l("Totals by revenue stream"),
    "totals_by_entity": _l("Totals by government entity"),
    "totals": _l("Total by currency"),
    "total": _l("Total"),
    "sections": _l("Other sections"),
    "col_section": _l("Section"),
    "col_section_status": _l("Status"),
    "attachments": _l("Attachments"),
    "not_filed": _l("Nothing filed in this section."),
    "col_file": _l("File"),
    "none": _l("None"),
    "verification": _l("Verification"),
    "verification_note": _l("The SHA-256 identifies exactly the filed content; any change to the filing, however "
                            "small, gives a different value. Compare it with the value shown on the portal for "
                            "this version."),
    "generated_at": _l("Generated"),
}
