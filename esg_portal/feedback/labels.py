"""The words of the feedback channel: categories, states, kinds, in the reader's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

CATEGORY_LABELS = {
    "water": _l("Water"),
    "air_dust": _l("Air and dust"),
    "noise_blasting": _l("Noise and blasting"),
    "land_pastures": _l("Land and pastures"),
    "roads_traffic": _l("Roads and traffic"),
    "jobs_hiring": _l("Jobs and local hiring"),
    "social_package": _l("Social-package commitments"),
    "public_hearings": _l("Public hearings"),
    "safety": _l("Safety"),
    "other": _l("Other"),
}

STATE_LABELS = {
    "received": _l("Received"),
    "registered": _l("Registered"),
    "in_progress": _l("Being handled"),
    "answered": _l("Answered"),
    "closed_resolved": _l("Closed: resolved"),
    "closed_not_resolved": _l("Closed: not resolved"),
    "rejected": _l("Rejected"),
}

KIND_LABELS = {
    "appeal": _l("an appeal"),
    "anonymous": _l("anonymous feedback"),
}

KIND_TITLES = {
    "appeal": _l("Appeal (with your name)"),
    "anonymous": _l("Anonymous feedback"),
}

SUBJECT_LABELS = {
    "site": _l("A mine or deposit (site)"),
    "licence": _l("A licence"),
    "company_inn": _l("A company"),
    "entity": _l("A government body"),
    "place": _l("I don't know: I name the place"),
}

ADDRESSEE_LABELS = {
    "company": _l("The company"),
    "agency": _l("A government body"),
    "secretariat": _l("The EITI secretariat itself"),
}

AUTHOR_LABELS = {
    "resident": _l("The resident"),
    "company": _l("The company"),
    "agency": _l("The government body"),
    "secretariat": _l("The EITI secretariat"),
}

ENTRY_LABELS = {
    "registered": _l("Registered"),
    "rejected": _l("Rejected"),
    "routed": _l("Sent to the body that answers"),
    "update": _l("Progress update"),
    "answer": _l("Answer"),
    "verdict": _l("The resident's word on the answer"),
    "reopened": _l("Reopened by the resident"),
    "closed": _l("Closed"),
    "resident_reply": _l("The resident added"),
}

VERDICT_LABELS = {
    "resolved": _l("The answer solved it"),
    "not_resolved": _l("The answer did not solve it"),
}

COMMITMENT_SECTION_LABELS = {
    "social_agreements": _l("Social-package agreement"),
    "eia": _l("Environmental impact assessment"),
    "public_hearings": _l("Public hearing"),
}
