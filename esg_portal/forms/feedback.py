"""Forms of the feedback channel: the resident's intake and follow-up, the handlers' steps.

The intake form only collects and renders: its rules are ``feedback.schemas`` (the API's), so a
form and a JSON body are refused with the same messages.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from ..feedback.labels import ADDRESSEE_LABELS, CATEGORY_LABELS, SUBJECT_LABELS
from . import PortalForm, options


class IntakeForm(PortalForm):
    kind = RadioField(_l("Kind"), choices=options([
        ("anonymous", _l("Anonymous feedback: no name, no contact. Tracked in public; the portal aims to answer "
                         "within its usual time frame, but no law sets a deadline.")),
        ("appeal", _l("An appeal with my name and a contact: the Law on citizens' appeals applies — registered "
                      "within 1 working day, answered within 14 working days, in the language I write in."))]),
        validate_choice=False)
    subject_kind = RadioField(_l("What is it about?"), choices=options(SUBJECT_LABELS.items()), validate_choice=False)
    site = SelectField(_l("Site"), choices=[], validate_choice=False)
    licence = SelectField(_l("Licence"), choices=[], validate_choice=False)
    company = SelectField(_l("Company"), choices=[], validate_choice=False)
    entity = SelectField(_l("Government body"), choices=[], validate_choice=False)
    place = StringField(_l("Place (village, river, road)"))
    category = SelectField(_l("Topic"), choices=options(CATEGORY_LABELS.items(), empty="—"), validate_choice=False)
    commitment = SelectField(_l("Is it about a published commitment? (optional)"), choices=[],
                             validate_choice=False)
    text = TextAreaField(_l("What happened"), description=_l(
        "Say what, where and since when. Do not write names of other people or phone numbers here: this text is "
        "published after the secretariat checks it."))
    aiyl_okmotu = StringField(_l("Aiyl okmotu (optional)"))
    photos = MultipleFileField(_l("Photos (optional, JPEG or PNG)"), description=_l(
        "Location data and camera details are removed from the photos before they are stored. Photos are "
        "published only if the secretariat finds nobody can be recognised on them."))
    name = StringField(_l("Your name"), description=_l("Never published."))
    contact = StringField(_l("Phone or e-mail"), description=_l(
        "Never published. With an e-mail address you are told of every step by e-mail."))
    share_contact = BooleanField(_l("The company or government body that answers may see my name and contact"),
                                 description=_l("If you leave this unticked, only the EITI secretariat sees them."))
    #: the honeypot: hidden from people, filled by robots
    website = StringField(_l("Leave this field empty"))
    #: when the form was shown (seconds since the epoch), to tell a person from a script
    shown_at = HiddenField()


class LookupForm(PortalForm):
    code = StringField(_l("Tracking code"))
    pin = StringField(_l("PIN"))


class VerdictForm(PortalForm):
    verdict = RadioField(_l("Did the answer solve the problem?"), choices=options([
        ("resolved", _l("Yes, it is solved")), ("not_resolved", _l("No, it is not solved"))]), validate_choice=False)
    comment = TextAreaField(_l("Comment (optional)"))


class ReopenForm(PortalForm):
    reason = TextAreaField(_l("Why do you reopen the case?"))


class ReplyForm(PortalForm):
    text = TextAreaField(_l("Add something to your case"))


class HandlerForm(PortalForm):
    """Every handler's form carries the case's revision: a form from before somebody else's step is refused."""

    revision = HiddenField()


class RouteFields(HandlerForm):
    addressee = RadioField(_l("Who answers"), choices=options(ADDRESSEE_LABELS.items()), validate_choice=False)
    company = SelectField(_l("Company"), choices=[], validate_choice=False)
    entity = SelectField(_l("Government body"), choices=[], validate_choice=False)


class RegisterForm(RouteFields):
    public_text = TextAreaField(_l("Text for the public"), description=_l(
        "Remove names, phone numbers, addresses and insults. The resident's words are kept privately."))
    is_public = BooleanField(_l("Show this case in the public record"), default=True)


class RejectForm(HandlerForm):
    reason = TextAreaField(_l("Why is it rejected? (the resident reads this)"))


class AnswerForm(HandlerForm):
    text = TextAreaField(_l("Your answer or update"), description=_l(
        "Answers are published as written. Answer in the language of the case."))
    final = RadioField(_l("This is"), choices=options([("1", _l("The answer")), ("0", _l("A progress update"))]),
                       default="1", validate_choice=False)


class CloseForm(HandlerForm):
    resolved = RadioField(_l("Close as"), choices=options([("1", _l("Resolved")), ("0", _l("Not resolved"))]),
                          validate_choice=False)
    note = TextAreaField(_l("Note (required when not resolved)"), validators=[Optional()])


class ModerateForm(HandlerForm):
    public_text = TextAreaField(_l("Text for the public"))
    is_public = BooleanField(_l("Show this case in the public record"))
