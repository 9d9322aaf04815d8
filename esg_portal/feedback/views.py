"""The resident's pages (no account: intake, the private case page, the code-and-PIN look-up) and the
handlers' pages (the secretariat, and the company or agency a case was sent to).

Intake takes photos, so its body may be larger than ``MAX_CONTENT_LENGTH``: like attachments, the
view raises the limit for that one request and checks the CSRF token itself.
"""
from __future__ import annotations

import time

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import ValidationError
from ..extensions import csrf, db
from ..forms import add_service_errors, attempt, form_status, options
from ..forms.feedback import (AnswerForm, CloseForm, IntakeForm, LookupForm, ModerateForm, RegisterForm, RejectForm,
                              ReopenForm, ReplyForm, RouteFields, VerdictForm)
from ..i18n import current_locale
from . import labels, permissions, queries, services
from .models import FeedbackPhoto
from .register import Register

bp = Blueprint("feedback", __name__, url_prefix="/feedback")

#: room for the multipart envelope around the photos
ENVELOPE_BYTES = 256 * 1024
#: the PIN of a case just sent, shown once on its private page
CREATED_KEY = "feedback_created"


@bp.app_context_processor
def feedback_words():
    return {"feedback_labels": labels, "handles_feedback": lambda: permissions.handles_feedback(current_user)}


def _photo_limit() -> int:
    from flask import current_app
    return current_app.config["ESG_FEEDBACK_MAX_PHOTOS"] * current_app.config["ESG_FEEDBACK_PHOTO_BYTES"] \
        + ENVELOPE_BYTES


def _intake_choices(form: IntakeForm, register: Register, locale: str) -> None:
    form.site.choices = options(register.site_choices(locale), empty="—")
    form.licence.choices = options(register.licence_choices(), empty="—")
    form.company.choices = options(register.company_choices(), empty="—")
    form.entity.choices = options(register.entity_choices(locale), empty="—")
    form.commitment.choices = options(((c.key, c.label) for c in register.commitments()), empty="—")


def _looks_automated(form: IntakeForm) -> bool:
    """The honeypot was filled, or the form came back faster than a person reads it."""
    if (form.website.data or "").strip():
        return True
    try:
        shown = float(form.shown_at.data or "0")
    except ValueError:
        return True
    return time.time() - shown < services.MIN_FILL_SECONDS


@bp.route("/new", methods=["GET", "POST"])
@csrf.exempt  # the body may hold photos over MAX_CONTENT_LENGTH: the token is checked below, under its limit
def new():
    locale, register = current_locale(), Register()
    if request.method == "GET":
        form = IntakeForm(formdata=None, kind="anonymous", subject_kind=request.args.get("about") or "site",
                          site=request.args.get("site", ""), company=request.args.get("company", ""),
                          shown_at=str(int(time.time())))
        _intake_choices(form, register, locale)
        return render_template("feedback/new.html", form=form)
    request.max_content_length = _photo_limit()
    if request.content_length is not None and request.content_length > request.max_content_length:
        abort(413)
    csrf.protect()
    form = IntakeForm()
    _intake_choices(form, register, locale)
    created = None
    if form.validate():
        from .schemas import from_form
        photos = [(f.read(), f.filename or "") for f in request.files.getlist(form.photos.name) if f and f.filename]
        try:
            created = services.submit_case(from_form(form, locale), photos, client_address=request.remote_addr,
                                           looks_automated=_looks_automated(form))
        except ValidationError as error:
            db.session.rollback()
            add_service_errors(form, error.errors, skip=("body",))
    if created is None:
        form.shown_at.data = form.shown_at.data or str(int(time.time()))
        return render_template("feedback/new.html", form=form), form_status(form) if form.errors else 422
    db.session.commit()
    session[CREATED_KEY] = {"code": created.case.code, "pin": created.pin}
    return redirect(url_for(".private_case", secret=created.secret))


def _private(secret: str, *, status: int = 200, **forms):
    case = services.case_by_secret(secret)
    shown = session.get(CREATED_KEY) or {}
    pin = shown.get("pin") if shown.get("code") == case.code else None
    if pin and request.method == "GET":
        session.pop(CREATED_KEY, None)
    context = {"verdict_form": VerdictForm(formdata=None), "reopen_form": ReopenForm(formdata=None),
               "reply_form": ReplyForm(formdata=None), **forms}
    response = Response(render_template("feedback/private.html", case=queries.resident_view(case, current_locale()),
                                        secret=secret, pin=pin, **context), status=status)
    # the page's address is the secret: never cached, never sent on as a referrer
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/track/<secret>")
def private_case(secret: str):
    return _private(secret)


def _resident_step(secret: str, form, name: str, action):
    case = services.case_by_secret(secret)
    if form.validate_on_submit():
        if attempt(form, lambda: action(case)) is not None:
            flash(_("Saved. Thank you."), "success")
            return redirect(url_for(".private_case", secret=secret) + "#timeline")
    return _private(secret, status=422, **{name: form})


@bp.route("/track/<secret>/verdict", methods=["POST"])
def verdict(secret: str):
    form = VerdictForm()
    if form.verdict.data not in ("resolved", "not_resolved"):
        form.verdict.errors = [_("Say whether the answer solved the problem.")]
        return _private(secret, status=422, verdict_form=form)
    return _resident_step(secret, form, "verdict_form", lambda case: services.resident_verdict(
        case, resolved=form.verdict.data == "resolved", comment=form.comment.data))


@bp.route("/track/<secret>/reopen", methods=["POST"])
def reopen(secret: str):
    form = ReopenForm()
    return _resident_step(secret, form, "reopen_form",
                          lambda case: services.reopen_case(case, reason=form.reason.data))


@bp.route("/track/<secret>/reply", methods=["POST"])
def reply(secret: str):
    form = ReplyForm()
    return _resident_step(secret, form, "reply_form", lambda case: services.resident_reply(case, text=form.text.data))


@bp.route("/track/<secret>/photos/<int:photo_id>")
def private_photo(secret: str, photo_id: int):
    case = services.case_by_secret(secret)
    return _photo(db.session.get(FeedbackPhoto, photo_id), case.id)


def _photo(photo: FeedbackPhoto | None, case_id: int) -> Response:
    if photo is None or photo.case_id != case_id:
        abort(404)
    return Response(photo.content, mimetype=photo.media_type, headers={
        "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f"inline; filename=photo-{photo.id}.{'png' if photo.media_type == 'image/png' else 'jpg'}"})


@bp.route("/track", methods=["GET", "POST"])
def lookup():
    """The code and PIN open the case: a new private link is made (the portal keeps no link to resend)."""
    form = LookupForm()
    if form.validate_on_submit():
        from ..errors import NotFound, PermissionDenied
        try:
            case = services.case_by_code_and_pin(form.code.data or "", form.pin.data or "")
        except (NotFound, PermissionDenied) as error:
            db.session.commit()  # the failed attempt counts
            form.form_errors = [error.message]
        else:
            secret = services.new_private_link(case)
            db.session.commit()
            flash(_("This is your case. Keep this page's address: it is your new private link (earlier links no "
                    "longer open the case)."), "success")
            return redirect(url_for(".private_case", secret=secret))
    status = 422 if form.form_errors else 200
    response = Response(render_template("feedback/lookup.html", form=form), status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- handlers ----------------------------------------------------------------------------------------

@bp.route("/handle")
@login_required
def handle_list():
    if not permissions.handles_feedback(current_user):
        abort(403)
    state = request.args.get("state") or None
    suspicious = request.args.get("queue") == "suspicious" and permissions.is_secretariat(current_user)
    cases = queries.handler_cases(current_user, state=state, overdue_only=request.args.get("overdue") == "1",
                                  suspicious=suspicious)
    from ..audit import utcnow
    now = utcnow()
    return render_template("feedback/handle_list.html", cases=cases, state=state, suspicious=suspicious,
                           overdue={c.id: services.overdue_stage(c, now) for c in cases},
                           register=Register(), locale=current_locale())


def _route_choices(form: RouteFields, register: Register, locale: str) -> None:
    form.company.choices = options(register.company_choices(), empty="—")
    form.entity.choices = options(register.entity_choices(locale), empty="—")


def _case_page(case_code: str, *, status: int = 200, **forms):
    case = queries.handler_case(current_user, case_code)
    locale, register = current_locale(), Register()
    revision = str(case.revision)
    defaults = {
        "register_form": RegisterForm(formdata=None, revision=revision, public_text=case.original_text,
                                      is_public=True, addressee="company" if case.company_inn else "secretariat",
                                      company=case.company_inn or "", entity=case.entity_code or ""),
        "reject_form": RejectForm(formdata=None, revision=revision),
        "route_form": RouteFields(formdata=None, revision=revision,
                                  addressee=case.addressee.value if case.addressee else "secretariat",
                                  company=case.routed_company.inn if case.routed_company else "",
                                  entity=case.routed_entity.code if case.routed_entity else ""),
        "answer_form": AnswerForm(formdata=None, revision=revision),
        "close_form": CloseForm(formdata=None, revision=revision),
        "moderate_form": ModerateForm(formdata=None, revision=revision, public_text=case.public_text,
                                      is_public=case.is_public),
    }
    defaults.update(forms)
    for name in ("register_form", "route_form"):
        _route_choices(defaults[name], register, locale)
    for form in defaults.values():
        form.revision.data = form.revision.data or revision
    view = queries.handler_view(current_user, case, locale)
    return render_template("feedback/handle_case.html", case=case, view=view,
                           is_secretariat=permissions.is_secretariat(current_user),
                           can_answer=case.state in services.ANSWERABLE,
                           photos=case.photos, **defaults), status


@bp.route("/handle/<case_code>")
@login_required
def handle_case(case_code: str):
    return _case_page(case_code)


def _expected(form) -> int | None:
    text = (form.revision.data or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def _handler_step(case_code: str, form, name: str, action, done: str):
    case = queries.handler_case(current_user, case_code)
    if form.validate_on_submit():
        if attempt(form, lambda: action(case, _expected(form))) is not None:
            flash(done, "success")
            return redirect(url_for(".handle_case", case_code=case.code) + "#timeline")
    return _case_page(case_code, status=form_status(form) if form.errors or form.form_errors else 422, **{name: form})


@bp.route("/handle/<case_code>/register", methods=["POST"])
@login_required
def register_case(case_code: str):
    form = RegisterForm()
    return _handler_step(case_code, form, "register_form", lambda case, expected: services.register_case(
        current_user, case, expected=expected, public_text=form.public_text.data, is_public=form.is_public.data,
        addressee=form.addressee.data or "", company_inn=form.company.data, entity_code=form.entity.data),
        _("The case is registered and sent on."))


@bp.route("/handle/<case_code>/reject", methods=["POST"])
@login_required
def reject_case(case_code: str):
    form = RejectForm()
    return _handler_step(case_code, form, "reject_form", lambda case, expected: services.reject_case(
        current_user, case, expected=expected, reason=form.reason.data), _("The case is rejected."))


@bp.route("/handle/<case_code>/route", methods=["POST"])
@login_required
def route_case(case_code: str):
    form = RouteFields()
    return _handler_step(case_code, form, "route_form", lambda case, expected: services.reroute_case(
        current_user, case, expected=expected, addressee=form.addressee.data or "", company_inn=form.company.data,
        entity_code=form.entity.data), _("The case is sent on."))


@bp.route("/handle/<case_code>/answer", methods=["POST"])
@login_required
def answer_case(case_code: str):
    form = AnswerForm()
    return _handler_step(case_code, form, "answer_form", lambda case, expected: services.post_answer(
        current_user, case, expected=expected, text=form.text.data, final=form.final.data != "0"),
        _("Your words are on the case. The resident is told."))


@bp.route("/handle/<case_code>/close", methods=["POST"])
@login_required
def close_case(case_code: str):
    form = CloseForm()
    if form.resolved.data not in ("1", "0"):
        form.resolved.errors = [_("Choose whether the case is resolved.")]
        return _case_page(case_code, status=422, close_form=form)
    return _handler_step(case_code, form, "close_form", lambda case, expected: services.close_case(
        current_user, case, expected=expected, resolved=form.resolved.data == "1", note=form.note.data),
        _("The case is closed."))


@bp.route("/handle/<case_code>/moderate", methods=["POST"])
@login_required
def moderate_case(case_code: str):
    form = ModerateForm()
    entry_texts = {int(key[len("entry-"):]): request.form.get(key)
                   for key in request.form if key.startswith("entry-") and key[len("entry-"):].isdigit()}
    public_photos = {int(v) for v in request.form.getlist("public_photo") if v.isdigit()}
    return _handler_step(case_code, form, "moderate_form", lambda case, expected: services.moderate_case(
        current_user, case, expected=expected, public_text=form.public_text.data, is_public=form.is_public.data,
        entry_texts=entry_texts, public_photos=public_photos), _("What the public reads is saved."))


@bp.route("/handle/<case_code>/photos/<int:photo_id>")
@login_required
def handler_photo(case_code: str, photo_id: int):
    case = queries.handler_case(current_user, case_code)
    return _photo(db.session.get(FeedbackPhoto, photo_id), case.id)

