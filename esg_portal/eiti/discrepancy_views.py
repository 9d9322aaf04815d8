"""Discrepancy queries and adjustment proposals on reconciliation lines.

The secretariat works from a line of a run (``line``); the company or agency asked works
from the query page (``query``). Each POST calls one service, commits once and redirects;
a form with errors is shown again with 422.
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..disclosure.attachment_views import file_download, receive_attachment_body
from ..disclosure.attachments import AttachmentTooLarge
from ..errors import InvalidTransition, ValidationError
from ..extensions import csrf, db
from ..forms.attachments import uploaded
from ..forms.discrepancies import (ADDRESSEE_LABELS, CHANNEL_LABELS, SIDE_LABELS, AdjustmentForm, AnswerForm,
                                   CloseQueryForm, DecisionForm, RaiseQueryForm, RecordExplanationForm)
from ..reference.periods import PeriodClosed
from . import discrepancies
from .labels import REASON_LABELS, STATUS_LABELS

bp = Blueprint("discrepancies", __name__, url_prefix="/discrepancies")
#: the secretariat's runs page (eiti.run_views), linked when registered
RUNS_ENDPOINT = "reconciliation.runs_page"
#: the names of the explanation form's fields start "record-" (the line page also holds the question form)
RECORD_PREFIX = "record"


@bp.before_request
def signed_in_only():
    """Visitors are sent to sign in; the services decide what each role may see (404/403)."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    return None


@bp.app_context_processor
def dashboard_helpers():
    """The dashboards of filers and officers link to their open queries with a count."""
    return {"open_discrepancy_queries": lambda: discrepancies.open_query_counts(current_user)}


def _labels() -> dict:
    return {"reason_labels": REASON_LABELS, "side_labels": SIDE_LABELS, "addressee_labels": ADDRESSEE_LABELS,
            "line_status_labels": STATUS_LABELS, "channel_labels": CHANNEL_LABELS}


def _apply(form, error: ValidationError) -> None:
    """Put a service's field errors next to the form's fields (unknown names on the first field)."""
    db.session.rollback()
    for name, messages in error.errors.items():
        field = getattr(form, name, None) or next(f for f in form if f.type != "CSRFTokenField")
        field.errors = [*(field.errors or []), *messages]


def _refused(error: InvalidTransition | PeriodClosed, target: str):
    """A step the record's state does not allow: say why on the page (not an error page)."""
    db.session.rollback()
    flash(error.message, "error")
    return redirect(target)


def _line_page(run_id: int, position: int, status: int = 200, form: RaiseQueryForm | None = None,
               failed_decision: tuple[int, DecisionForm] | None = None,
               record_form: RecordExplanationForm | None = None):
    page = discrepancies.line_page(current_user, run_id, position)
    if record_form is None:
        record_form = RecordExplanationForm(formdata=None, prefix=RECORD_PREFIX)
        # the party that cannot be asked on the portal is the likelier one to have explained elsewhere
        record_form.party.data = "agency" if page.agency_refusal and not page.company_refusal else "company"
    return render_template("discrepancies/line.html", page=page, form=form or RaiseQueryForm(formdata=None),
                           failed_decision=failed_decision, record_form=record_form,
                           view_endpoints=current_app.view_functions, **_labels()), status


@bp.route("/runs/<int:run_id>/lines/<int:position>")
def line(run_id: int, position: int):
    return _line_page(run_id, position)


@bp.route("/runs/<int:run_id>/lines/<int:position>/queries", methods=["POST"])
def raise_query(run_id: int, position: int):
    run, _line = discrepancies.get_line(current_user, run_id, position)
    form = RaiseQueryForm()
    if form.validate():
        try:
            query = discrepancies.raise_query(current_user, run, position, form.addressed_to.data, form.question.data)
        except ValidationError as error:
            _apply(form, error)
        except (InvalidTransition, PeriodClosed) as error:
            return _refused(error, url_for(".line", run_id=run_id, position=position))
        else:
            db.session.commit()
            flash(_("Your question was sent."), "success")
            return redirect(url_for(".line", run_id=run_id, position=position, _anchor=f"query-{query.id}"))
    return _line_page(run_id, position, 422, form=form)


@bp.route("/runs/<int:run_id>/lines/<int:position>/explanations", methods=["POST"])
@csrf.exempt  # the body may carry a file over MAX_CONTENT_LENGTH: the token is checked below, under its limit
def record_explanation(run_id: int, position: int):
    """The secretariat records an explanation given outside the portal (eiti.discrepancies.record_explanation)."""
    run, _line = discrepancies.get_line(current_user, run_id, position)  # 403 before the body is read
    form = RecordExplanationForm(formdata=None, prefix=RECORD_PREFIX)
    try:
        receive_attachment_body()
        csrf.protect()
        form = RecordExplanationForm(prefix=RECORD_PREFIX)
        if form.validate():
            query = discrepancies.record_explanation(
                current_user, run, position, form.party.data, form.informant.data, form.channel.data,
                form.explanation.data, form.question.data, form.recorded_adjustment(), uploaded(form.evidence_file))
            db.session.commit()
            flash(_("The explanation was recorded."), "success")
            return redirect(url_for(".line", run_id=run_id, position=position, _anchor=f"query-{query.id}"))
    except AttachmentTooLarge as error:
        db.session.rollback()
        form.evidence_file.errors = [error.message]
        return _line_page(run_id, position, 413, record_form=form)
    except ValidationError as error:
        _apply(form, error)
    return _line_page(run_id, position, 422, record_form=form)


@bp.route("/evidence/<int:discrepancy_evidence_id>")
def evidence(discrepancy_evidence_id: int):
    """A file of an answer or a recorded explanation: whoever may read the query; 404 for everyone else."""
    record, path = discrepancies.get_evidence(current_user, discrepancy_evidence_id)
    return file_download(record, path)


@bp.route("/<int:year>")
def index(year: int):
    queries = discrepancies.queries_for(current_user, year)
    names = discrepancies.names_of([discrepancies.line_key(q) for q in queries])
    return render_template("discrepancies/index.html", year=year, queries=queries,
                           names={q.id: names[discrepancies.line_key(q)] for q in queries},
                           runs_endpoint=RUNS_ENDPOINT if RUNS_ENDPOINT in current_app.view_functions else None,
                           **_labels())


def _query_page(query_id: int, status: int = 200, **forms):
    view = discrepancies.query_view(current_user, query_id)
    forms.setdefault("answer_form", AnswerForm(formdata=None))
    forms.setdefault("adjustment_form", AdjustmentForm(formdata=None))
    forms.setdefault("failed_decision", None)
    if not view.show_company_amount:  # an agency proposes changes of its own figure only
        forms["adjustment_form"].side.choices = [c for c in forms["adjustment_form"].side.choices
                                                 if c.value == "government"]
    return render_template("discrepancies/query.html", view=view, query=view.query, close_form=CloseQueryForm(),
                           **forms, **_labels()), status


@bp.route("/queries/<int:discrepancy_query_id>")
def query(discrepancy_query_id: int):
    return _query_page(discrepancy_query_id)


def _query_action(query_id: int, form, action, done: str, anchor: str, form_name: str):
    """Validate ``form``, run ``action`` (one service call), commit and come back to the query page."""
    target = url_for(".query", discrepancy_query_id=query_id)
    if form is None or form.validate():
        try:
            action()
        except ValidationError as error:
            if form is None:
                raise
            _apply(form, error)
        except (InvalidTransition, PeriodClosed) as error:
            return _refused(error, target)
        else:
            db.session.commit()
            flash(done, "success")
            return redirect(f"{target}#{anchor}")
    return _query_page(query_id, 422, **{form_name: form})


@bp.route("/queries/<int:discrepancy_query_id>/answer", methods=["POST"])
@csrf.exempt  # the body may carry a file over MAX_CONTENT_LENGTH: the token is checked below, under its limit
def answer(discrepancy_query_id: int):
    query = discrepancies.get_query(current_user, discrepancy_query_id)  # 404 before the body is read
    form = AnswerForm(formdata=None)
    try:
        receive_attachment_body()
        csrf.protect()
        form = AnswerForm()
        return _query_action(query.id, form, lambda: discrepancies.answer_query(
            current_user, query, form.answer.data, uploaded(form.evidence_file)),
            _("Your answer was sent to the EITI secretariat."), "answer-heading", "answer_form")
    except AttachmentTooLarge as error:
        db.session.rollback()
        form.evidence_file.errors = [error.message]
        return _query_page(query.id, 413, answer_form=form)


@bp.route("/queries/<int:discrepancy_query_id>/adjustments", methods=["POST"])
def propose(discrepancy_query_id: int):
    query = discrepancies.get_query(current_user, discrepancy_query_id)
    form = AdjustmentForm()
    return _query_action(query.id, form, lambda: discrepancies.propose_adjustment(
        current_user, query, form.side.data, form.amount.data, form.reason.data, form.comment.data,
        form.evidence.data), _("The adjustment was proposed. The EITI secretariat will accept or reject it."),
        "adjustments", "adjustment_form")


@bp.route("/queries/<int:discrepancy_query_id>/close", methods=["POST"])
def close(discrepancy_query_id: int):
    """CloseQueryForm has no fields: CSRFProtect checks its token before any POST view runs."""
    query = discrepancies.get_query(current_user, discrepancy_query_id)
    return _query_action(query.id, None, lambda: discrepancies.close_query(current_user, query),
                         _("The question was closed."), "status", "close_form")


@bp.route("/adjustments/<int:adjustment_id>/decision", methods=["POST"])
def decide(adjustment_id: int):
    adjustment = discrepancies.get_adjustment(current_user, adjustment_id)
    form = DecisionForm()
    from_line = (form.run_id.data or "").isdigit() and (form.position.data or "").isdigit()
    target = (url_for(".line", run_id=int(form.run_id.data), position=int(form.position.data)) if from_line
              else url_for(".query", discrepancy_query_id=adjustment.query_id) if adjustment.query_id
              else url_for(".index", year=adjustment.period.year))
    if form.validate():
        try:
            discrepancies.decide_adjustment(current_user, adjustment, form.decision.data == "accept",
                                            form.comment.data)
        except ValidationError as error:
            _apply(form, error)
        except (InvalidTransition, PeriodClosed) as error:
            return _refused(error, target)
        else:
            db.session.commit()
            flash(_("The adjustment was accepted.") if adjustment.status.value == "accepted"
                  else _("The adjustment was rejected."), "success")
            return redirect(f"{target}#adjustment-{adjustment.id}")
    if from_line:
        return _line_page(int(form.run_id.data), int(form.position.data), 422,
                          failed_decision=(adjustment.id, form))
    return _query_page(adjustment.query_id, 422, failed_decision=(adjustment.id, form))
