"""Production and exports per mineral (issue 4 §5): volume with its unit, value in KGS."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError as ShapeError
from marshmallow import validates_schema

from . import SectionSpec, register
from .fields import (MAX_SHORT, Choice, Money, Project, Quantity, ReferenceCode, SectionSchema, Text,
                     unique_items)

UNITS = ("t", "kg", "g", "troy_oz", "m3", "carat")
UNIT_LABELS = {"t": _l("tonnes"), "kg": _l("kilograms"), "g": _l("grams"), "troy_oz": _l("troy ounces"),
               "m3": _l("cubic metres"), "carat": _l("carats")}
LABELS = {
    "mineral": _l("Mineral"),
    "mineral_name": _l("Name of the mineral (when “other”)"),
    "project": _l("Project (licence)"),
    "unit": _l("Unit"),
    "produced_volume": _l("Volume produced"),
    "produced_value_kgs": _l("Value of production, KGS"),
    "exported_volume": _l("Volume exported"),
    "exported_value_kgs": _l("Value of exports, KGS"),
    "comment": _l("Comment"),
}


class ProductionRowSchema(SectionSchema):
    """One mineral (of one project, or of the whole company when project is blank)."""

    #: a code of the critical-minerals list, or "other" with its name (gold, coal…)
    mineral = ReferenceCode("mineral", extra=("other",), required=True)
    mineral_name = Text(max_length=MAX_SHORT)
    project = Project()
    unit = Choice(UNITS, required=True)
    produced_volume = Quantity(required=True)
    produced_value_kgs = Money()
    exported_volume = Quantity()
    exported_value_kgs = Money()
    comment = Text()

    @validates_schema
    def _exports_within_production(self, data: dict, **kwargs) -> None:
        if data.get("mineral") == "other" and not data.get("mineral_name"):
            raise ShapeError({"mineral_name": [_("Name the mineral, for example: gold.")]})
        if data.get("mineral") != "other" and data.get("mineral_name"):
            raise ShapeError({"mineral_name": [_("Leave this blank unless the mineral is “other”.")]})
        produced, exported = data.get("produced_volume"), data.get("exported_volume")
        if produced is not None and exported is not None and _number(exported) > _number(produced):
            raise ShapeError({"exported_volume": [_("More was exported than produced. If stock from earlier "
                                                    "years was exported, say so in the comment and report the "
                                                    "year's export volume.")]})


def _number(text: str):
    from decimal import Decimal
    return Decimal(text)


class ProductionSchema(ProductionRowSchema):
    """The list-level rule: one item per mineral and project."""

    _unique = unique_items(
        lambda item: (item["mineral"], item.get("mineral_name") or "", item.get("project") or ""), "mineral",
        lambda item, n: _("This mineral is already listed for this project in item %(n)d.", n=n))


def _title(item: dict) -> str:
    mineral = item.get("mineral_name") if item.get("mineral") == "other" else item.get("mineral")
    return " / ".join(part for part in (mineral, item.get("project")) if part)


SPEC = register(SectionSpec(
    key="production",
    label=_l("Production and exports"),
    schema=ProductionSchema,
    labels=LABELS,
    choice_labels={"unit": UNIT_LABELS},
    item_title=_title,
    form="esg_portal.forms.esg_production:ProductionForm",
    help=_l("One line per mineral (and per project where you report by project): the volume produced in the "
            "year, its value in som, and what was exported."),
))
