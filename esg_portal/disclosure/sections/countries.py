"""Countries as ISO 3166-1 alpha-2 codes ("KG", "RU"…) with their names in the reader's language.

The code list is built in (the 249 officially assigned codes of ISO 3166-1, as listed by
pycountry 26.2), so validation never depends on what happens to be installed. Names come from
the CLDR data shipped with Babel, with the names used in the Kyrgyz Republic where CLDR's
Russian name differs.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping

from babel import Locale
from flask_babel import LazyString, get_locale

ISO_3166_ALPHA2 = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
""".split())

#: offered first in lists: the countries most owners of Kyrgyz mining companies come from
COMMON = ("KG", "RU", "KZ", "CN", "TR", "GB", "US", "CA", "AU", "UZ", "TJ", "CY", "NL", "CH", "AE")

#: where CLDR's name is not the one used in the Kyrgyz Republic
_OVERRIDES = {("ru", "KG"): "Кыргызстан"}


def _language() -> str:
    try:
        locale = get_locale()
    except RuntimeError:  # no app or request context (scripts)
        locale = None
    return locale.language if locale is not None else "en"


def country_name(code: str, language: str | None = None) -> str:
    """The country's name in ``language`` (default: the reader's), or the code when unknown."""
    language = language or _language()
    override = _OVERRIDES.get((language, code))
    if override:
        return override
    try:
        territories = Locale.parse(language).territories
    except (ValueError, LookupError):
        territories = Locale("en").territories
    return territories.get(code) or Locale("en").territories.get(code) or code


class CountryNames(Mapping[str, LazyString]):
    """code → the country's name in the reader's language (lazy), for ``SectionSpec.choice_labels``."""

    def __getitem__(self, code: str) -> LazyString:
        if code not in ISO_3166_ALPHA2:
            raise KeyError(code)
        return LazyString(country_name, code)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(ISO_3166_ALPHA2))

    def __len__(self) -> int:
        return len(ISO_3166_ALPHA2)


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """(code, name) for a select: the common countries first, then every other by name."""
    language = language or _language()
    first = [(code, country_name(code, language)) for code in COMMON]
    rest = sorted(((code, country_name(code, language)) for code in ISO_3166_ALPHA2 if code not in COMMON),
                  key=lambda pair: pair[1].casefold())
    return first + rest
