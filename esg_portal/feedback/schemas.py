"""The one set of intake rules, for the API body (INTERFACES §8) and the HTML form alike.

The form's flat fields are turned into the API's shape (``from_form``) and both go through
``IntakeSchema``: the same limits and the same messages, in the reader's language.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from marshmallow import INCLUDE, Schema, ValidationError as SchemaError, fields, validates_schema

from ..validation import text_problem
from .models import CaseKind, SubjectKind
from .stats import CATEGORIES

TEXT_MIN, TEXT_MAX = 10, 5000
NAME_MAX, CONTACT_MAX, PLACE_MAX, OKMOTU_MAX = 200, 200, 200, 120
LANGUAGES = ("ky", "ru", "en")
SUBJECT_KEYS = tuple(kind.value for kind in SubjectKind)
EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
#: a phone number as people write it: digits with spaces, dashes, brackets, an optional leading +
PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{5,18}[0-9]$")


@dataclass(frozen=True)
class Intake:
    kind: str
    subject_kind: str
    subject_value: str
    category: str
    text: str
    language: str
    aiyl_okmotu: str | None
    name: str | None
    contact: str | None
    share_contact: bool
    commitment: str | None

    @property
    def email(self) -> str | None:
        return self.contact if self.contact and EMAIL.match(self.contact) else None


def _clean(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class IntakeSchema(Schema):
    """``{"kind", "subject": {one key: value}, "category", "text", "language", "aiyl_okmotu"?, "name"?,
    "contact"?, "share_contact"?, "commitment"?}``; unknown keys are refused by name."""

    class Meta:
        unknown = INCLUDE

    kind = fields.Raw(load_default=None)
    subject = fields.Raw(load_default=None)
    category = fields.Raw(load_default=None)
    text = fields.Raw(load_default=None)
    language = fields.Raw(load_default=None)
    aiyl_okmotu = fields.Raw(load_default=None)
    name = fields.Raw(load_default=None)
    contact = fields.Raw(load_default=None)
    share_contact = fields.Raw(load_default=False)
    commitment = fields.Raw(load_default=None)

    @validates_schema
    def check(self, data: dict[str, Any], **_kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}

        def fail(field: str, message: str) -> None:
            errors.setdefault(field, []).append(message)

        known = set(self.fields)
        for key in data:
            if key not in known:
                fail(key, _("“%(field)s” is not a field of feedback. Leave it out.", field=key))
        kind = data.get("kind")
        if kind not in (CaseKind.APPEAL.value, CaseKind.ANONYMOUS.value):
            fail("kind", _("Choose the kind: an appeal with your name, or anonymous feedback."))
        if data.get("category") not in CATEGORIES:
            fail("category", _("Choose what it is about (water, dust, noise, land, …)."))
        if data.get("language") not in LANGUAGES:
            fail("language", _("The language must be ky, ru or en."))
        subject = data.get("subject")
        if not isinstance(subject, dict) or len(subject) != 1 or next(iter(subject)) not in SUBJECT_KEYS:
            fail("subject", _("Say what it is about: choose a site, a licence, a company or a government body, or "
                              "write the name of the place."))
        else:
            value = _clean(next(iter(subject.values())))
            if not isinstance(value, str) or not value:
                fail("subject", _("Say what it is about: choose a site, a licence, a company or a government body, "
                                  "or write the name of the place."))
            elif len(value) > PLACE_MAX or (problem := text_problem(value, _("Place"))):
                fail("subject", problem if len(value) <= PLACE_MAX else
                     _("The place name is too long (at most %(max)d characters).", max=PLACE_MAX))
        text = _clean(data.get("text"))
        if not isinstance(text, str) or len(text) < TEXT_MIN:
            fail("text", _("Describe what happened in at least %(min)d characters.", min=TEXT_MIN))
        elif len(text) > TEXT_MAX:
            fail("text", _("The text is too long: %(count)d characters, at most %(max)d.", count=len(text),
                           max=TEXT_MAX))
        elif problem := text_problem(text, _("What happened"), multiline=True):
            fail("text", problem)
        okmotu = _clean(data.get("aiyl_okmotu"))
        if okmotu not in (None, ""):
            if not isinstance(okmotu, str) or len(okmotu) > OKMOTU_MAX:
                fail("aiyl_okmotu", _("The aiyl okmotu's name is too long (at most %(max)d characters).",
                                      max=OKMOTU_MAX))
            elif problem := text_problem(okmotu, _("Aiyl okmotu")):
                fail("aiyl_okmotu", problem)
        name, contact = _clean(data.get("name")), _clean(data.get("contact"))
        if kind == CaseKind.APPEAL.value:
            if not isinstance(name, str) or not name:
                fail("name", _("An appeal needs your name (it is never published)."))
            elif len(name) > NAME_MAX or (problem := text_problem(name, _("Your name"))):
                fail("name", problem if len(name) <= NAME_MAX else
                     _("The name is too long (at most %(max)d characters).", max=NAME_MAX))
            if not isinstance(contact, str) or not contact:
                fail("contact", _("An appeal needs a phone number or an e-mail address, so that the answer "
                                  "reaches you (it is never published)."))
            elif len(contact) > CONTACT_MAX or not (EMAIL.match(contact) or PHONE.match(contact)):
                fail("contact", _("Write a phone number (+996 555 123 456) or an e-mail address."))
        elif kind == CaseKind.ANONYMOUS.value:
            if name not in (None, ""):
                fail("name", _("Anonymous feedback has no name. Leave it empty, or choose an appeal."))
            if contact not in (None, ""):
                fail("contact", _("Anonymous feedback has no contact. Leave it empty, or choose an appeal."))
            if data.get("share_contact") not in (None, False, "", "0", "false"):
                fail("share_contact", _("Anonymous feedback has no contact to share."))
        if data.get("share_contact") not in (None, True, False, "", "0", "1", "true", "false", "on"):
            fail("share_contact", _("“share_contact” must be true or false."))
        commitment = data.get("commitment")
        if commitment not in (None, "") and not isinstance(commitment, str):
            fail("commitment", _("Choose the commitment from the list."))
        if errors:
            raise SchemaError(errors)


def load_intake(raw: Any) -> Intake:
    """The intake of a body or a form; ``ValidationError`` (the portal's) with every problem at once."""
    from ..errors import ValidationError
    if not isinstance(raw, dict):
        raise ValidationError({"body": [_("Send the feedback as a JSON object.")]})
    try:
        data = IntakeSchema().load(raw)
    except SchemaError as error:
        raise ValidationError({key: [str(m) for m in (messages if isinstance(messages, list) else [messages])]
                               for key, messages in error.messages.items()}) from None
    (subject_kind, subject_value), = data["subject"].items()
    share = data.get("share_contact") in (True, "1", "true", "on")
    return Intake(kind=data["kind"], subject_kind=subject_kind, subject_value=_clean(subject_value),
                  category=data["category"], text=_clean(data["text"]), language=data["language"],
                  aiyl_okmotu=_clean(data.get("aiyl_okmotu")) or None, name=_clean(data.get("name")) or None,
                  contact=_clean(data.get("contact")) or None, share_contact=share,
                  commitment=data.get("commitment") or None)


def from_form(form: Any, language: str) -> dict[str, Any]:
    """The API shape of the intake form's fields (``forms.feedback.IntakeForm``)."""
    kind = form.subject_kind.data or ""
    value = {"site": form.site.data, "licence": form.licence.data, "company_inn": form.company.data,
             "entity": form.entity.data, "place": form.place.data}.get(kind)
    body: dict[str, Any] = {"kind": form.kind.data or None, "subject": {kind: value or ""} if kind else None,
                            "category": form.category.data or None, "text": form.text.data or "",
                            "language": language, "aiyl_okmotu": form.aiyl_okmotu.data or None,
                            "commitment": form.commitment.data or None,
                            # given whatever the kind: anonymous feedback with a name is refused, saying why
                            "name": form.name.data or None, "contact": form.contact.data or None,
                            "share_contact": bool(form.share_contact.data)}
    return body


class PublicCaseSchema(Schema):
    """One public case in the open data (CSV, JSON, ``GET /api/v1/public/feedback``): the moderated text
    and the clock, never a name, a contact or the resident's own words. Times are UTC (ISO 8601, "Z")."""

    code = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": [k.value for k in CaseKind]})
    category = fields.String(required=True, metadata={"enum": list(CATEGORIES)})
    state = fields.String(required=True)
    subject_kind = fields.String(required=True, metadata={"enum": list(SUBJECT_KEYS)})
    subject = fields.String(required=True)
    company_inn = fields.String(allow_none=True)
    company = fields.String(allow_none=True)
    site = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    aiyl_okmotu = fields.String(allow_none=True)
    text = fields.String(required=True)
    language = fields.String(required=True)
    received_at = fields.String(required=True)
    register_due = fields.String(allow_none=True)
    registered_at = fields.String(allow_none=True)
    answer_due = fields.String(allow_none=True)
    answered_at = fields.String(allow_none=True)
    closed_at = fields.String(allow_none=True)
    reopened_at = fields.String(allow_none=True)
    resident_verdict = fields.String(allow_none=True)
    answer = fields.String(allow_none=True)
    commitment = fields.String(allow_none=True, metadata={"description": "year:section:company_inn:item"})
