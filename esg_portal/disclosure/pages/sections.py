"""The filer's pages of one ESG section: what they show, and their actions (flush, never commit)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms import FieldList, FormField, SelectField
from wtforms.fields.choices import SelectChoice

from ...accounts.models import User
from ...companies.models import Company
from ...errors import NotFound
from ...extensions import db
from ...reference.models import PeriodStatus, ReportingPeriod
from .. import services
from ..models import Attachment, Disclosure, DisclosureStatus
from ..sections import SectionSpec, all_specs, dump_section
from ..sections import services as section_services
from ..sections.display import SectionView, section_view
from ..sections.fields import Rows
from ..sections.upload import read_section_upload, template_csv
from .display import Names
from .filing import _blank_draft, _draft, editing_lookups, filer_company
from ...lifecycle import Expected


def attachment_names(company_id: int, period_id: int | None = None) -> dict[str, str]:
    """sha256 → the file's name, for showing attachment references."""
    stmt = select(Attachment).where(Attachment.company_id == company_id)
    if period_id is not None:
        stmt = stmt.where(Attachment.period_id == period_id)
    return {a.sha256: a.original_name for a in db.session.scalars(stmt.order_by(Attachment.id))}


def view_of(disclosure: Disclosure, spec: SectionSpec, names: Names, *, show_private: bool = False,
            attachments: dict[str, str] | None = None) -> SectionView:
    """One section of a version as item views (private fields only when asked, for the secretariat);
    ``attachments`` (sha256 → name) is read when not given."""
    row = disclosure.section_row(spec.key) if disclosure.id is not None else None
    if show_private and row is not None:
        data = section_services.restricted_view(disclosure, spec.key)
    else:
        data = dump_section(spec, row.data if row else None)
    if attachments is None:
        attachments = attachment_names(disclosure.company_id)
    return section_view(spec, data, names=names, attachments=attachments, show_private=show_private,
                        item_ids=section_services.stored_item_ids(row))


def esg_views(disclosure: Disclosure, names: Names, *, show_private: bool = False) -> list[SectionView]:
    """Every ESG section of a version, in document order (the company's attachments read once)."""
    attachments = attachment_names(disclosure.company_id)
    return [view_of(disclosure, spec, names, show_private=show_private, attachments=attachments)
            for spec in all_specs()]


@dataclass
class SectionPage:
    period: ReportingPeriod
    company: Company
    spec: SectionSpec
    shown: Disclosure
    view: SectionView
    is_editable: bool
    is_carried_over: bool
    declaration: Any
    locale: str
    #: a flat list section: a CSV/XLSX file may replace its items
    uploadable: bool = False
    attachments_url: str | None = None


def section_page(actor: User, year: int, key: str, locale: str) -> SectionPage:
    """The section of the actor's newest version of ``year`` (an unsaved blank draft when none)."""
    spec = section_services.require_spec(key)
    company = filer_company(actor)
    period = services.get_period(year)
    current = services.latest_filing(actor, company, period)
    shown = current or _blank_draft(company, period)
    is_editable = period.status is PeriodStatus.OPEN and shown.status is DisclosureStatus.DRAFT
    return SectionPage(
        period=period, company=company, spec=spec, shown=shown,
        view=view_of(shown, spec, Names.of(shown, locale)) if current is not None else section_view(spec, spec.empty()),
        is_editable=is_editable,
        is_carried_over=bool(is_editable and current is not None and current.carried_over and key in current.carried_over),
        declaration=shown.declaration(key) if current is not None else None,
        locale=locale,
        uploadable=is_editable and is_uploadable(spec),
        attachments_url=_attachments_url(year) if is_editable else None,
    )


def _attachments_url(year: int) -> str | None:
    if "attachments.filing" not in current_app.view_functions:
        return None
    return url_for("attachments.filing", year=year)


def is_uploadable(spec: SectionSpec) -> bool:
    """A list section whose items are flat (no repeated rows) can come from a spreadsheet."""
    return spec.many and not any(isinstance(kind, Rows) for kind in spec.schema().fields.values())


# --- forms ----------------------------------------------------------------------------

def _choices(company: Company, names: Names) -> dict[str, list[tuple[str, str]]]:
    """Options of the select fields every section may have, by field name."""
    return {
        "project": [("", _("— whole company —"))] + [
            (lic.number, f"{lic.number} — {lic.project_name}" if lic.project_name else lic.number)
            for lic in sorted(company.licenses, key=lambda lic: lic.number)],
        "mineral": [(code, f"{name} ({code})") for code, name in sorted(names.minerals.items(), key=lambda kv: kv[1])]
        + [("other", _("other (name it)"))],
        "region": [("", "—")] + sorted(names.regions.items(), key=lambda kv: kv[1]),
        "site": [("", "—")] + sorted(names.sites.items(), key=lambda kv: kv[1]),
    }


def _fill(form: Any, choices: dict[str, list[tuple[str, str]]], attachments: list[tuple[str, str]]) -> None:
    for name, field in form._fields.items():
        if isinstance(field, FieldList):
            for entry in field.entries:
                _fill(entry.form, choices, attachments)
        elif isinstance(field, FormField):
            _fill(field.form, choices, attachments)
        elif isinstance(field, SelectField) and not field.choices:
            if name in choices:
                field.choices = [SelectChoice(value, label) for value, label in choices[name]]
            elif getattr(field, "is_attachment", False) or name.endswith("attachment"):
                field.choices = [SelectChoice(value, label) for value, label in attachments]


def prepare_form(form: Any, company: Company, period: ReportingPeriod, locale: str) -> Any:
    """Fill the select options (projects, minerals, regions, attachments) of a section form."""
    names = Names(locale)
    attachments = [("", _("— none —"))] + [
        (sha, f"{name} · {sha[:12]}…") for sha, name in attachment_names(company.id, period.id).items()]
    _fill(form, _choices(company, names), attachments)
    return form


def item_data(actor: User, year: int, key: str, item_id: str | None) -> dict[str, Any]:
    """A stored item (or the object) to pre-fill the form, private fields included (it is the filer's own)."""
    editing_lookups(actor, year)  # refuses a submitted filing or a closed period
    company = filer_company(actor)
    current = services.latest_filing(actor, company, services.get_period(year))
    if current is None:
        if item_id is not None:
            raise NotFound()
        return {}
    return section_services.item_for_form(actor, current, key, item_id)


@dataclass(frozen=True)
class StaleForm:
    """What a form that came too late shows: the item as saved now (None: it was deleted)."""

    current: Any
    revision: str


def stale_form(actor: User, year: int, key: str, item_id: str | None, locale: str) -> StaleForm:
    """The saved state of the item a stale form was editing, to show next to the user's kept input."""
    page = section_page(actor, year, key, locale)
    current = None
    if not page.spec.many:
        current = page.view.items[0] if page.view.items else None
    elif item_id is not None:
        current = next((item for item in page.view.items if item.item_id == item_id), None)
    return StaleForm(current=current, revision=page.shown.revision_token)


def save_item(actor: User, year: int, key: str, item_id: str | None, item: dict, locale: str,
              expected: Expected | None = None) -> str | None:
    return section_services.save_item(actor, _draft(actor, year), key, item_id, item, locale=locale,
                                      expected=expected)


def delete_item(actor: User, year: int, key: str, item_id: str, locale: str, expected: Expected | None = None) -> None:
    section_services.delete_item(actor, _draft(actor, year), key, item_id, locale=locale, expected=expected)


#: carried-over marks that are not ESG sections: the profile and licences, copied from the register
CONFIRMABLE = ("profile",)


def confirm(actor: User, year: int, key: str, expected: Expected | None = None) -> None:
    if key not in CONFIRMABLE:
        section_services.require_spec(key)
    section_services.confirm_carried_over(actor, _draft(actor, year), key, expected=expected)


def _uploadable_spec(key: str) -> SectionSpec:
    """The spec of a section a spreadsheet can fill; any other section has no upload (404)."""
    spec = section_services.require_spec(key)
    if not is_uploadable(spec):
        raise NotFound()
    return spec


def replace_from_file(actor: User, year: int, key: str, data: bytes, filename: str, locale: str) -> int:
    """A CSV/XLSX file replaces the items of a flat list section, or nothing changes (UploadRejected)."""
    spec = _uploadable_spec(key)
    editing_lookups(actor, year)
    draft = _draft(actor, year)
    items = read_section_upload(spec, data, filename, section_services.load_context(draft, locale))
    return section_services.replace_section(actor, draft, key, items, locale=locale)


def upload_template(actor: User, year: int, key: str) -> bytes:
    filer_company(actor)
    services.get_period(year)
    return template_csv(_uploadable_spec(key))
