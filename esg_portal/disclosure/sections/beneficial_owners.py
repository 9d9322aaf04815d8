"""Beneficial owners (issue 4 §6; EITI Requirement 2.5): the natural persons who ultimately own
or control the company, how much and by what means, and whether they are politically exposed.

The date of birth and the identity document are private (``private_fields``): they are
stored apart (``DisclosureSection.restricted``), never dumped into the filing document, its
hash, the API, the receipt or the BODS export, and shown only to the secretariat
(``services.restricted_view``) and to the filer in their own edit form.

Percentages are exact decimal text with at most 2 decimals, from 0 to 100. The direct shares
(and direct voting rights) of all owners together cannot pass 100 per cent; indirect holdings
may overlap (one person may hold through several companies) and are not summed.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError as ShapeError
from marshmallow import validates_schema

from . import SectionSpec, register
from .countries import ISO_3166_ALPHA2, CountryNames
from .fields import MAX_SHORT, Choice, ChoiceList, IsoDate, Quantity, SectionSchema, Text, YesNo

HOLDINGS = ("direct", "indirect")
HOLDING_LABELS = {"direct": _l("Direct"), "indirect": _l("Indirect (through other companies or persons)")}

MEANS = ("shares", "voting_rights", "board_appointment", "other_influence", "senior_management")
MEANS_LABELS = {
    "shares": _l("Holds shares"),
    "voting_rights": _l("Holds voting rights"),
    "board_appointment": _l("Appoints or removes board members"),
    "other_influence": _l("Other significant influence or control"),
    "senior_management": _l("Senior managing official"),
}

LABELS = {
    "surname": _l("Surname"),
    "given_name": _l("Given name"),
    "patronymic": _l("Patronymic"),
    "nationality": _l("Nationality"),
    "country_of_residence": _l("Country of residence"),
    "ownership_pct": _l("Share of ownership, per cent"),
    "voting_pct": _l("Share of voting rights, per cent"),
    "direct_or_indirect": _l("Held directly or indirectly"),
    "means_of_control": _l("Means of ownership or control"),
    "control_details": _l("How the ownership or control is held"),
    "is_pep": _l("Politically exposed person"),
    "pep_position": _l("Public position held (politically exposed person)"),
    "date_of_birth": _l("Date of birth (not published)"),
    "id_document": _l("Identity document: type and number (not published)"),
}

PRIVATE_FIELDS = ("date_of_birth", "id_document")
HUNDRED = Decimal(100)


class CountryCode(Choice):
    """A country as its ISO 3166-1 alpha-2 code ("KG"); lower case is accepted and stored upper case."""

    def __init__(self, **kwargs: Any):
        super().__init__(sorted(ISO_3166_ALPHA2), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise ShapeError(_("Text is expected here (in quotes)."))
        text = value.strip().upper()
        if text not in ISO_3166_ALPHA2:
            raise ShapeError(_("“%(value)s” is not a country code. Use the two-letter ISO 3166 code, for example "
                               "KG (Kyrgyzstan), RU (Russia) or KZ (Kazakhstan).", value=text[:40]))
        return text


class BeneficialOwnerRowSchema(SectionSchema):
    """One beneficial owner (a natural person)."""

    surname = Text(max_length=MAX_SHORT, required=True)
    given_name = Text(max_length=MAX_SHORT, required=True)
    patronymic = Text(max_length=MAX_SHORT)
    nationality = CountryCode(required=True)
    country_of_residence = CountryCode(required=True)
    ownership_pct = Quantity(max_decimals=2, max_value=HUNDRED)
    voting_pct = Quantity(max_decimals=2, max_value=HUNDRED)
    direct_or_indirect = Choice(HOLDINGS, required=True)
    means_of_control = ChoiceList(MEANS, required=True)
    control_details = Text()
    is_pep = YesNo(required=True)
    pep_position = Text(max_length=MAX_SHORT)
    # private: kept apart, shown to the secretariat only
    date_of_birth = IsoDate()
    id_document = Text(max_length=MAX_SHORT)

    @validates_schema
    def _consistent(self, data: dict, **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        if data.get("is_pep") and not data.get("pep_position"):
            errors["pep_position"] = [_("Name the public position the person holds or held, for example: deputy "
                                        "of the Jogorku Kenesh.")]
        if data.get("is_pep") is False and data.get("pep_position"):
            errors["pep_position"] = [_("Leave this blank unless the person is politically exposed.")]
        means = data.get("means_of_control") or []
        for code, key, name in (("shares", "ownership_pct", _("Holds shares")),
                                ("voting_rights", "voting_pct", _("Holds voting rights"))):
            if code in means and data.get(key) is None:
                errors[key] = [_("Give the percentage, because “%(means)s” is ticked.", means=name)]
            elif code not in means and data.get(key) is not None and Decimal(data[key]) > 0:
                errors[key] = [_("Tick “%(means)s” among the means of control, or leave the percentage blank.",
                                 means=name)]
        if errors:
            raise ShapeError(errors)


def _check_direct_totals(items: list[dict]) -> None:
    """The direct shares (and direct voting rights) of all owners together are at most 100 per cent."""
    errors: dict[int, dict[str, list[str]]] = {}
    for key in ("ownership_pct", "voting_pct"):
        running = Decimal(0)
        for index, item in enumerate(items):
            if item.get("direct_or_indirect") != "direct" or item.get(key) is None:
                continue
            running += Decimal(item[key])
            if running > HUNDRED:
                total = sum((Decimal(i[key]) for i in items
                             if i.get("direct_or_indirect") == "direct" and i.get(key) is not None), Decimal(0))
                message = (_("The direct shares of all owners add up to %(total)s per cent, more than 100. Check "
                             "the shares.", total=f"{total:f}") if key == "ownership_pct" else
                           _("The direct voting rights of all owners add up to %(total)s per cent, more than 100. "
                             "Check the voting rights.", total=f"{total:f}"))
                errors.setdefault(index, {})[key] = [message]
                break
    if errors:
        raise ShapeError(errors)


class BeneficialOwnersSchema(BeneficialOwnerRowSchema):
    """The list-level rule: direct holdings at most 100 per cent together."""

    @validates_schema(pass_collection=True)
    def _totals(self, data, many: bool, **kwargs: Any) -> None:
        if many:
            _check_direct_totals(data)


def full_name(item: dict) -> str:
    """"Surname Given-name Patronymic", as names are written in the Kyrgyz Republic."""
    return " ".join(part for part in (item.get("surname"), item.get("given_name"), item.get("patronymic")) if part)


SPEC = register(SectionSpec(
    key="beneficial_owners",
    label=_l("Beneficial owners"),
    schema=BeneficialOwnersSchema,
    labels=LABELS,
    choice_labels={"nationality": CountryNames(), "country_of_residence": CountryNames(),
                   "direct_or_indirect": HOLDING_LABELS, "means_of_control": MEANS_LABELS},
    private_fields=PRIVATE_FIELDS,
    item_title=full_name,
    form="esg_portal.forms.esg_beneficial_owners:BeneficialOwnerForm",
    max_items=100,
    help=_l("Every natural person who ultimately owns or controls your company, directly or through other "
            "companies: the share and voting rights they hold, how they control it, and whether they hold a "
            "public position. The date of birth and the identity document are seen only by the EITI "
            "secretariat and are never published."),
))
