"""The filing workflow: drafts, replace semantics, declarations, submission, amendments."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from esg_portal.accounts.models import Role, User
from esg_portal.audit import AuditEvent
from esg_portal.companies.models import Company
from esg_portal.disclosure import services, workflow
from esg_portal.disclosure.document import filing_document, filing_sha256
from esg_portal.disclosure.inputs import PaymentInput
from esg_portal.disclosure.models import DeclarationKind, Disclosure, DisclosureStatus
from esg_portal.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from esg_portal.extensions import db
from esg_portal.money import to_minor
from esg_portal.reference.models import GovernmentEntity, PeriodStatus, ReportingPeriod, RevenueStream

ATTEST = {"attested_by_name": "Aibek Test", "attested_by_position": "Director",
          "attestation_text": "I attest that the data are complete and correct."}


def _id(model, code):
    return db.session.scalar(select(model.id).where(model.code == code))


def payment(stream="CIT", entity="STS", amount="1000.00", currency="KGS", licence=None, **extra) -> PaymentInput:
    values = dict(revenue_stream_id=_id(RevenueStream, stream), government_entity_id=_id(GovernmentEntity, entity),
                  license_id=licence, amount_minor=to_minor(Decimal(amount), currency), currency=currency,
                  is_paid_in_kind=False, in_kind_volume=None, in_kind_unit=None, recipient_locality=None,
                  comment=None)
    values.update(extra)
    return PaymentInput(**values)


@pytest.fixture
def setting(app_ctx, factory):
    period_id = factory.period(2025)
    company_id = factory.company("Filing Test LLC")
    other_id = factory.company("Other LLC")
    ids = {
        "period": period_id, "company": company_id, "other": other_id,
        "signatory": factory.user(Role.COMPANY_FILER, "sign@test.kg", company_id=company_id, is_signatory=True),
        "assistant": factory.user(Role.COMPANY_FILER, "assist@test.kg", company_id=company_id),
        "other_filer": factory.user(Role.COMPANY_FILER, "other@test.kg", company_id=other_id, is_signatory=True),
        "secretariat": factory.user(Role.SECRETARIAT, "sec@test.kg"),
    }
    return {key: (db.session.get(User, value) if key in ("signatory", "assistant", "other_filer", "secretariat")
                  else value) for key, value in ids.items()}


def _draft(setting, who="signatory") -> Disclosure:
    company = db.session.get(Company, setting["company"])
    return services.open_draft(setting[who], company, db.session.get(ReportingPeriod, setting["period"]))


def test_open_draft_creates_version_one_once(setting):
    first = _draft(setting)
    assert (first.version, first.status) == (1, DisclosureStatus.DRAFT)
    assert _draft(setting, "assistant").id == first.id


def test_another_company_cannot_open_or_edit_the_draft(setting):
    draft = _draft(setting)
    other = setting["other_filer"]
    with pytest.raises(PermissionDenied):
        services.open_draft(other, draft.company, draft.period)
    with pytest.raises(NotFound):
        services.replace_payment_lines(other, draft, [payment()])
    with pytest.raises(NotFound):
        services.submit_disclosure(other, draft, **ATTEST)


def test_replace_is_idempotent_and_keeps_line_ids(setting):
    draft = _draft(setting)
    rows = [payment(), payment("VAT", amount="12.34")]
    assert services.replace_payment_lines(setting["signatory"], draft, rows) == 2
    db.session.commit()
    ids = sorted(line.id for line in draft.payment_lines)
    events = db.session.query(AuditEvent).count()
    services.replace_payment_lines(setting["signatory"], draft, rows)
    db.session.commit()
    assert sorted(line.id for line in draft.payment_lines) == ids
    assert db.session.query(AuditEvent).count() == events  # nothing changed, nothing recorded
    services.replace_payment_lines(setting["signatory"], draft, [payment(amount="999.99")])
    db.session.commit()
    assert [line.amount_minor for line in draft.payment_lines] == [99999]


def test_duplicate_keys_are_refused(setting):
    draft = _draft(setting)
    with pytest.raises(ValidationError):
        services.replace_payment_lines(setting["signatory"], draft, [payment(), payment(amount="5.00")])
    services.add_payment_line(setting["signatory"], draft, payment())
    with pytest.raises(ValidationError):
        services.add_payment_line(setting["signatory"], draft, payment(amount="7.00"))


def test_nil_declaration_is_an_answer_distinct_from_not_provided(setting):
    draft = _draft(setting)
    states = {item.section: item.state for item in services.completeness(draft)}
    assert states["payments"] == "missing"
    with pytest.raises(ValidationError) as error:
        services.declare_section(setting["signatory"], draft, "payments", DeclarationKind.NIL, "  ")
    assert "reason" in error.value.errors
    services.declare_section(setting["signatory"], draft, "payments", DeclarationKind.NIL, "Exploration only")
    states = {item.section: item.state for item in services.completeness(draft)}
    assert states["payments"] == "declared"
    assert filing_document(draft)["declarations"] == {"payments": {"kind": "nil", "reason": "Exploration only"}}
    # data replaces the nil answer; a section with data cannot be declared nil
    services.replace_payment_lines(setting["signatory"], draft, [payment()])
    assert draft.declaration("payments") is None
    with pytest.raises(ValidationError):
        services.declare_section(setting["signatory"], draft, "payments", DeclarationKind.NIL, "none")


def test_only_a_signatory_submits_and_the_hash_is_of_the_document(setting):
    draft = _draft(setting)
    services.replace_payment_lines(setting["signatory"], draft, [payment()])
    with pytest.raises(PermissionDenied):
        services.submit_disclosure(setting["assistant"], draft, **ATTEST)
    with pytest.raises(ValidationError) as error:
        services.submit_disclosure(setting["signatory"], draft, **{**ATTEST, "attested_by_name": ""})
    assert set(error.value.errors) == {"attested_by_name"}
    now = dt.datetime(2026, 3, 31, 9, 15, 2, 123456, tzinfo=dt.timezone.utc)
    services.submit_disclosure(setting["signatory"], draft, **ATTEST, now=now)
    db.session.commit()
    assert draft.status is DisclosureStatus.SUBMITTED
    assert draft.submitted_at == now.replace(microsecond=0)
    assert filing_document(draft)["submitted_at"] == "2026-03-31T09:15:02Z"
    assert draft.sha256 == filing_sha256(draft) and len(draft.sha256) == 64
    assert draft.profile_snapshot["legal_name"] == "Filing Test LLC"


def test_a_submitted_version_never_changes(setting):
    draft = _draft(setting)
    services.submit_disclosure(setting["signatory"], draft, **ATTEST)
    with pytest.raises(InvalidTransition) as error:
        services.replace_payment_lines(setting["signatory"], draft, [payment()])
    assert error.value.code == "not_draft" and error.value.status == 409
    with pytest.raises(InvalidTransition):
        services.submit_disclosure(setting["signatory"], draft, **ATTEST)
    with pytest.raises(InvalidTransition):
        services.open_draft(setting["signatory"], draft.company, draft.period)


def test_register_edits_after_submission_do_not_change_the_filing(setting):
    draft = _draft(setting)
    services.submit_disclosure(setting["signatory"], draft, **ATTEST)
    db.session.commit()
    sha = draft.sha256
    draft.company.legal_name = "Renamed LLC"
    db.session.commit()
    assert filing_document(draft)["company"]["name"] == "Filing Test LLC"
    assert filing_sha256(draft) == sha


def test_amendment_copies_the_last_version_and_supersedes_it_on_submission(setting):
    signatory = setting["signatory"]
    draft = _draft(setting)
    services.replace_payment_lines(signatory, draft, [payment(), payment("VAT", amount="1.00")])
    services.submit_disclosure(signatory, draft, **ATTEST)
    with pytest.raises(ValidationError):
        services.start_amendment(signatory, draft.company, draft.period, "")
    amendment = services.start_amendment(setting["assistant"], draft.company, draft.period, "Q4 royalty left out")
    assert (amendment.version, amendment.status, amendment.amendment_reason) == (2, DisclosureStatus.DRAFT,
                                                                                   "Q4 royalty left out")
    assert sorted(p["amount"] for p in filing_document(amendment)["sections"]["payments"]) == ["1.00", "1000.00"]
    with pytest.raises(InvalidTransition) as error:
        services.start_amendment(signatory, draft.company, draft.period, "again")
    assert error.value.code == "draft_exists"
    services.replace_payment_lines(signatory, amendment, [payment(amount="1500.00")])
    assert draft.status is DisclosureStatus.SUBMITTED  # untouched until the amendment is submitted
    services.submit_disclosure(signatory, amendment, **ATTEST)
    db.session.commit()
    assert draft.status is DisclosureStatus.SUPERSEDED and amendment.status is DisclosureStatus.SUBMITTED
    assert sorted(p["amount"] for p in filing_document(draft)["sections"]["payments"]) == ["1.00", "1000.00"]
    assert [v.version for v in services.versions(draft.company_id, draft.period_id)] == [1, 2]


def test_a_closed_period_takes_no_writes(setting):
    draft = _draft(setting)
    draft.period.status = PeriodStatus.CLOSED
    with pytest.raises(services.PeriodClosed) as error:
        services.replace_payment_lines(setting["signatory"], draft, [payment()])
    assert (error.value.status, error.value.code) == (409, "period_closed")


def test_totals_convert_usd_at_the_period_rate_and_keep_the_original(setting):
    draft = _draft(setting)
    services.replace_payment_lines(setting["signatory"], draft, [
        payment(amount="100.00"), payment("BONUS", amount="0.10", currency="USD", licence=None),
        payment("VAT", amount="-20.00", comment="refund")])
    totals = services.payment_totals(draft)
    assert totals.by_currency == {"KGS": Decimal("80.00"), "USD": Decimal("0.10")}
    # 0.10 USD × 87.4500 = 8.745 KGS → 8.74 (half-even)
    assert totals.total_kgs == Decimal("88.74")
    bonus = _id(RevenueStream, "BONUS")
    assert totals.by_stream_kgs[bonus] == Decimal("8.74")


def test_transition_table_refuses_what_it_does_not_list(setting):
    draft = _draft(setting)
    for action in (workflow.Action.QUERY, workflow.Action.ANSWER, workflow.Action.ACCEPT,
                   workflow.Action.SUPERSEDE):
        with pytest.raises(InvalidTransition):
            workflow.transition(draft, action)
    assert draft.status is DisclosureStatus.DRAFT
