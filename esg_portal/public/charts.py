"""The public pages' charts: the page's ``Chart`` (bars and the table behind them) drawn as inline SVG
by the same chart code as the PDF reports (``reports.charts``), and found again for its CSV."""
from __future__ import annotations

from typing import Any, Callable

from markupsafe import Markup

from ..errors import NotFound
from ..i18n import format_amount
from ..reports import charts as drawing
from . import pages



def chart_svg(chart: pages.Chart) -> Markup:
    """The chart as an accessible inline SVG (``<title>``, ``<desc>``, role img); empty when it has no bars."""
    if not chart.bars:
        return Markup("")
    bars = [{"label": bar.label, "value": bar.value, "text": format_amount(bar.value)} for bar in chart.bars]
    # drawn for a 360 px phone (names above the bars); the SVG scales to its box, capped by the CSS
    if chart.kind == "column":
        picture = drawing.column_chart(bars, width=drawing.SCREEN_WIDTH, font_size=drawing.SCREEN_FONT_SIZE)
    else:
        picture = drawing.bar_chart(bars, width=drawing.SCREEN_WIDTH, font_size=drawing.SCREEN_FONT_SIZE,
                                    labels="above")
    return Markup(drawing.svg(picture, title=chart.title, description=chart.description, id=f"chart-{chart.id}"))


def _year(args) -> int | None:
    text = args.get("year", "")
    return int(text) if text.isascii() and text.isdigit() and len(text) == 4 else None


#: page name → how to rebuild its view from the query arguments
_PAGES: dict[str, Callable[..., dict[str, Any]]] = {
    "home": lambda args, locale, gettext: pages.home(locale, gettext),
    "company": lambda args, locale, gettext: pages.company(args.get("inn", ""), locale, gettext, _year(args)),
    "region": lambda args, locale, gettext: pages.region(args.get("code", ""), locale, gettext, _year(args)),
    "site": lambda args, locale, gettext: pages.site(args.get("code", ""), locale, gettext, _year(args)),
}


def find(page: str, chart_id: str, args, locale: str, gettext) -> pages.Chart:
    """The chart ``chart_id`` of ``page`` as the page shows it for these arguments; 404 otherwise."""
    build = _PAGES.get(page)
    if build is None:
        raise NotFound()
    view = build(args, locale, gettext)
    found = [c for c in view.get("charts", []) + ([view["chart"]] if view.get("chart") else []) if c.id == chart_id]
    if not found:
        raise NotFound()
    return found[0]
