"""Each role's dashboard opens with what waits for that person, oldest first, each linked to its page."""
from __future__ import annotations

import datetime as dt

from flask import Flask

from discrepancy_support import make_line, make_run
from support import login
from esg_portal.accounts.models import User
from esg_portal.dashboard.tasks import tasks_for
from esg_portal.disclosure import review
from esg_portal.disclosure.models import Disclosure, DisclosureStatus
from esg_portal.eiti import discrepancies
from esg_portal.eiti.models import ReconciliationRun
from esg_portal.extensions import db


def _texts(tasks) -> list[str]:
    return [task.text for task in tasks]


def test_every_role_sees_what_waits_for_it_oldest_first(app_ctx, world, factory) -> None:
    # the other company's 2025 filing is submitted; the own company's is still a draft
    other = db.session.get(Disclosure, world["other_disclosure"])
    other.status, other.submitted_at = DisclosureStatus.SUBMITTED, dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
    db.session.commit()
    secretariat = db.session.get(User, world["secretariat"])
    filer, officer = db.session.get(User, world["filer"]), db.session.get(User, world["officer"])
    assert _texts(tasks_for(filer)) == ["Submit the 2025 filing"]
    assert tasks_for(filer)[0].path == "/disclosures/filing/2025" and tasks_for(filer)[0].due is not None
    # oldest first: the 2025 filing came on 1 March, the 2024 one (a closed period, still to review) on 31 March
    assert _texts(tasks_for(secretariat)) == ["Review the 2025 filing of Other Mining LLC (version 1)",
                                              "Review the 2024 filing of Other Mining LLC (version 1)"]
    run = db.session.get(ReconciliationRun, make_run(world["period"], 1, [
        make_line(1, db.session.get(Disclosure, world["own_disclosure"]).company.inn, "ROYALTY", "STS", "10.00",
                  "12.00")], world["secretariat"]))
    asked = discrepancies.raise_query(secretariat, run, 1, "agency", "Received twice?")
    asked.raised_at = dt.datetime(2026, 2, 1, tzinfo=dt.timezone.utc)
    db.session.commit()
    officer_tasks = tasks_for(officer)
    assert officer_tasks[0].text.startswith("Answer the question on the 2025 reconciliation")
    assert officer_tasks[0].path == f"/discrepancies/queries/{asked.id}"
    assert _texts(officer_tasks)[-1] == "Submit the 2025 receipts" or len(officer_tasks) == 1
    # an answer waits for the secretariat; it is older than the submitted filing, so it comes first
    discrepancies.answer_query(officer, asked, "Once only.")
    asked.answered_at = dt.datetime(2026, 2, 2, tzinfo=dt.timezone.utc)
    db.session.commit()
    assert _texts(tasks_for(secretariat))[0].startswith("Read the answer on the 2025 reconciliation")
    assert _texts(tasks_for(secretariat))[1] == "Review the 2025 filing of Other Mining LLC (version 1)"
    # a question on the filer's submitted filing is the filer's task
    own = db.session.get(Disclosure, world["own_disclosure"])
    own.status, own.submitted_at = DisclosureStatus.SUBMITTED, dt.datetime(2026, 3, 2, tzinfo=dt.timezone.utc)
    review.raise_query(secretariat, own, "Where is the Q4 royalty?")
    db.session.commit()
    assert _texts(tasks_for(filer)) == ["Answer the secretariat's question on your 2025 filing: “Where is the Q4 "
                                        "royalty?”"]


def test_the_dashboard_page_lists_the_tasks(app: Flask, world) -> None:
    client = app.test_client()
    login(client, "filer@test.kg")
    html = client.get("/").get_data(as_text=True)
    assert 'id="tasks"' in html and "Submit the 2025 filing" in html
    assert html.index('id="tasks"') < html.index('id="filings"')
    staff = app.test_client()
    login(staff, "admin@test.kg")
    assert 'id="no-tasks"' in staff.get("/").get_data(as_text=True)
