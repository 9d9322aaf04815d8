"""Workforce (issue 4 §4): headcount at the end of the year, citizens and foreign nationals,
women and women in management, residents of the project districts, contractors, the
headcount by occupational level, and training.

One object per filing (``many=False``). Every count is optional and null means "not
reported", which is not the same as 0; once anything is reported the total headcount is
needed, because every rule and share is measured against it. An object with nothing in it
is stored as nothing (the section is "not provided" again).

``target_shares`` gives the shares of citizens and of women against the programme targets
(MISSION.md: at least 80 per cent citizens; 15 per cent women by 2030) for the pages to show.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError as ShapeError
from marshmallow import post_load, validates_schema

from . import SectionSpec, register
from .fields import Choice, Count, Money, Rows, SectionSchema, Text

LEVELS = ("management", "specialists", "skilled_workers", "unskilled_workers")
LEVEL_LABELS = {
    "management": _l("Management"),
    "specialists": _l("Specialists"),
    "skilled_workers": _l("Skilled workers"),
    "unskilled_workers": _l("Unskilled workers"),
}

LABELS = {
    "employees_total": _l("Employees, total"),
    "citizens": _l("Citizens of the Kyrgyz Republic"),
    "foreign_nationals": _l("Foreign nationals and stateless persons"),
    "women": _l("Women"),
    "women_in_management": _l("Women in management"),
    "local_residents": _l("Residents of the project districts"),
    "contractors": _l("Contractors' workers on site"),
    "by_level": _l("Employees by occupational level"),
    "level": _l("Occupational level"),
    "total": _l("Employees"),
    "training_spend_kgs": _l("Spending on training, KGS"),
    "training_hours": _l("Hours of training, total"),
    "comment": _l("Comment"),
}

#: the programme targets (MISSION.md, seed para 24, 31, 74, 76), per cent of employees
TARGETS = {"citizens": Decimal("80"), "women": Decimal("15")}
TARGET_LABELS = {
    "citizens": _l("Share of citizens of the Kyrgyz Republic (target: at least 80 per cent)"),
    "women": _l("Share of women (target: 15 per cent by 2030)"),
}


class LevelRowSchema(SectionSchema):
    """The employees of one occupational level."""

    level = Choice(LEVELS, required=True)
    total = Count(required=True)
    women = Count()
    citizens = Count()

    @validates_schema
    def _parts_within_total(self, data: dict, **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        total = data.get("total")
        for key in ("women", "citizens"):
            part = data.get(key)
            if total is not None and part is not None and part > total:
                errors[key] = [_("This is more than the %(total)d employees of this level. Correct the number or "
                                 "the level's total.", total=total)]
        if errors:
            raise ShapeError(errors)


class WorkforceSchema(SectionSchema):
    """The workforce of the company at the end of the reporting year."""

    employees_total = Count()
    citizens = Count()
    foreign_nationals = Count()
    women = Count()
    women_in_management = Count()
    local_residents = Count()
    contractors = Count()
    by_level = Rows(LevelRowSchema, max_rows=len(LEVELS) * 2)
    training_spend_kgs = Money()
    training_hours = Count()
    comment = Text()

    @validates_schema
    def _consistent(self, data: dict, **kwargs: Any) -> None:
        errors = _rule_errors(data)
        if errors:
            raise ShapeError(errors)

    @post_load
    def _nothing_reported(self, data: dict, **kwargs: Any) -> dict:
        # a form sent back empty (or {}) reports nothing: the section is not provided
        return {} if all(value in (None, "", []) for value in data.values()) else data


def _rule_errors(data: dict) -> dict[str, list[str]]:
    """Every broken rule of the object at once, by field path."""
    errors: dict[str, list[str]] = {}

    def add(path: str, message: str) -> None:
        errors.setdefault(path, []).append(message)

    total = data.get("employees_total")
    reported = [key for key, value in data.items() if key != "employees_total" and value not in (None, "", [])]
    if total is None and reported:
        add("employees_total", _("Give the total number of employees: the other figures are measured against it."))

    citizens, foreign = data.get("citizens"), data.get("foreign_nationals")
    if total is not None and citizens is not None and foreign is not None and citizens + foreign != total:
        add("foreign_nationals", _("Citizens (%(citizens)d) and foreign nationals (%(foreign)d) add up to %(sum)d, "
                                   "but the total is %(total)d employees. Correct one of the three numbers.",
                                   citizens=citizens, foreign=foreign, sum=citizens + foreign, total=total))
    for key in ("citizens", "foreign_nationals", "women", "local_residents"):
        value = data.get(key)
        if total is not None and value is not None and value > total:
            add(key, _("This is more than the total of %(total)d employees.", total=total))

    women, women_managers = data.get("women"), data.get("women_in_management")
    if women_managers is not None and women is not None and women_managers > women:
        add("women_in_management", _("Women in management (%(managers)d) cannot be more than the women employed "
                                     "(%(women)d).", managers=women_managers, women=women))

    rows = data.get("by_level") or []
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        level = row.get("level")
        if level in seen:
            add(f"by_level.{index}.level", _("This level is already given in row %(n)d. Give each level once.",
                                             n=seen[level] + 1))
        else:
            seen[level] = index
    management = next((row for row in rows if row.get("level") == "management"), None)
    if (management is not None and women_managers is not None and management.get("total") is not None
            and women_managers > management["total"]):
        add("women_in_management", _("Women in management (%(managers)d) cannot be more than the employees at the "
                                     "management level (%(level)d).", managers=women_managers,
                                     level=management["total"]))

    if set(seen) == set(LEVELS) and len(rows) == len(LEVELS):
        # every level is given: the rows are the whole workforce
        messages = {
            "total": _("The employees of the levels add up to %(sum)d, but the total number of employees is "
                       "%(whole)d. Correct the rows or the total."),
            "women": _("The women of the levels add up to %(sum)d, but the number of women employed is %(whole)d. "
                       "Correct the rows or the number of women."),
            "citizens": _("The citizens of the levels add up to %(sum)d, but the number of citizens employed is "
                          "%(whole)d. Correct the rows or the number of citizens."),
        }
        for key, whole in (("total", total), ("women", women), ("citizens", citizens)):
            parts = [row.get(key) for row in rows]
            if whole is None or any(part is None for part in parts):
                continue
            if sum(parts) != whole:
                add("by_level", messages[key] % {"sum": sum(parts), "whole": whole})
    return errors


# --- shares against the programme targets -------------------------------------------

def share_percent(part: int | None, whole: int | None) -> Decimal | None:
    """``part`` of ``whole`` in per cent, exact, rounded half-even to one decimal; None when not computable."""
    if part is None or not whole:
        return None
    tenths, remainder = divmod(part * 1000, whole)
    if remainder * 2 > whole or (remainder * 2 == whole and tenths % 2):
        tenths += 1
    return Decimal(tenths).scaleb(-1)


def target_shares(item: dict | None) -> dict[str, dict[str, Any]]:
    """The shares of citizens and of women of the total headcount against the programme targets.

    ``item`` is the workforce object (stored or interchange form: counts are the same in both).
    For each of "citizens" and "women": ``share`` (Decimal, one decimal, half-even, or None when
    a number is not reported or the total is 0), ``target`` (Decimal per cent) and ``meets``
    (True/False, None when the share is None). ``meets`` compares the exact fraction, not the
    rounded share, so 79.96 per cent (shown as 80.0) does not meet an 80 per cent target.
    """
    item = item or {}
    total = item.get("employees_total")
    result: dict[str, dict[str, Any]] = {}
    for key, target in TARGETS.items():
        part = item.get(key)
        share = share_percent(part, total)
        meets = None if share is None else part * 100 >= target * total
        result[key] = {"share": share, "target": target, "meets": meets}
    return result


def target_facts(item: dict) -> list[tuple[Any, str]]:
    """The shares of citizens and women as readers see them, each against its programme target."""
    facts = []
    for key, values in target_shares(item).items():
        share = values["share"]
        if share is None:
            text = "—"
        else:
            verdict = _("target met") if values["meets"] else _("below the target")
            text = f"{format_decimal(share, format='#,##0.0')} % · {verdict}"
        facts.append((TARGET_LABELS[key], text))
    return facts


SPEC = register(SectionSpec(
    key="workforce",
    label=_l("Workforce"),
    schema=WorkforceSchema,
    many=False,
    labels=LABELS,
    choice_labels={"level": LEVEL_LABELS},
    form="esg_portal.forms.esg_workforce:WorkforceForm",
    derived=target_facts,
    help=_l("Your employees at the end of the year: how many are citizens of the Kyrgyz Republic, how many are "
            "women and women in management, how many live in the districts of your projects, and what you spent "
            "on training. Leave a number blank when you do not know it; write 0 only when there are none."),
))
