"""The demo data as tables (INTERFACES.md §1). Every company, person and figure is fictional.

Amounts are KGS unless a row says otherwise. Figures that are not listed here are derived in
``loader.py`` from ``STREAM_BASE_KGS`` and the weights of the companies and licences, so the
whole data set is reproducible without any randomness.
"""
from __future__ import annotations

from typing import NamedTuple


class PeriodRow(NamedTuple):
    """A reporting period."""

    year: int
    status: str  #: PeriodStatus value
    usd_rate: str  #: 1 USD = x KGS, 4 decimals
    deadline: tuple[int, int, int, int, int]  #: filing deadline, Asia/Bishkek local time
    threshold_kgs: str  #: company materiality threshold on government totals


PERIODS = (
    PeriodRow(2024, "closed", "87.1500", (2025, 6, 30, 18, 0), "5000000.00"),
    # a late deadline so that the open demo year is never overdue
    PeriodRow(2025, "open", "87.4500", (2027, 3, 31, 18, 0), "5000000.00"),
)
RATE_SOURCE = "National Bank of the Kyrgyz Republic, official average rate (demo figure)"
INDEPENDENT_ADMINISTRATOR = "Demo Audit Partners LLC (fictional)"


class CompanyRow(NamedTuple):
    """A registered demo company."""

    key: str
    inn: str  #: 14 digits, text
    legal_name: str
    legal_form: str
    address: str
    region: str
    state_share_pct: str | None
    is_free_carried: bool
    is_soe: bool
    listing: str | None
    weight: int  #: size of the company-level payments, percent of STREAM_BASE_KGS
    streams: str  #: company-level revenue streams paid (project streams follow the licences)
    signatory: tuple[str, str]  #: who attests when no demo account does (name, position)


_TAXES = "CIT VAT SOCIAL_FUND"
COMPANIES = (
    CompanyRow("kutessay", "01234567890123", "Demo Kutessay Rare Metals LLC", "LLC",
               "14 Demo Street, Kemin, Chuy Region", "CHUY", None, False, False, None,
               90, f"{_TAXES} CUSTOMS EXPORT_DUTY", ("Aibek Demo-Filer", "Chief accountant")),
    CompanyRow("aktash", "02345678901234", "Demo Aktash Antimony JSC", "JSC",
               "3 Demo Avenue, Kadamjay, Batken Region", "BATKEN", "30.00", True, False, None,
               120, f"{_TAXES} EXPORT_DUTY DIVIDENDS_STATE", ("Nurgul Demo-Filer", "Finance director")),
    CompanyRow("kalesay", "00907201810031", "Demo Kalesay Beryllium LLC", "LLC",
               "27 Demo Street, Tokmok, Chuy Region", "CHUY", None, False, False, None,
               45, _TAXES, ("Bakyt Demo-Uulu", "General director")),
    CompanyRow("ompol", "01503201910042", "Demo Kyzyl-Ompol Titanium CJSC", "CJSC",
               "8 Demo Lane, Karakol, Issyk-Kul Region", "ISSYK_KUL", None, False, False,
               "Kyrgyz Stock Exchange (demo listing)", 70, f"{_TAXES} CUSTOMS EXPORT_DUTY",
               ("Elena Demo-Petrova", "General director")),
    CompanyRow("state_silver", "00101199910057", "Demo Kyrgyz State Silver OJSC", "OJSC",
               "1 Demo Boulevard, Bishkek", "BISHKEK", "100.00", False, True, None,
               110, f"{_TAXES} EXPORT_DUTY DIVIDENDS_STATE", ("Temir Demo-Bekov", "Chairman of the board")),
    CompanyRow("talas", "02204201510068", "Demo Talas Copper LLC", "LLC",
               "45 Demo Street, Talas, Talas Region", "TALAS", None, False, False, None,
               60, f"{_TAXES} CUSTOMS", ("Aizada Demo-Kyzy", "Chief financial officer")),
    CompanyRow("tossor", "01710201210079", "Demo Tossor Manganese LLC", "LLC",
               "5 Demo Street, Balykchy, Issyk-Kul Region", "ISSYK_KUL", None, False, False, None,
               35, _TAXES, ("Ruslan Demo-Ogly", "Director")),
    CompanyRow("chatkal", "00312202010084", "Demo Chatkal Silver JSC", "JSC",
               "19 Demo Street, Jalal-Abad", "JALAL_ABAD", "30.00", True, False, None,
               80, f"{_TAXES} EXPORT_DUTY DIVIDENDS_STATE", ("Gulnara Demo-Alieva", "General director")),
    CompanyRow("bauxite", "02609201610095", "Demo Batken Bauxite LLC", "LLC",
               "2 Demo Street, Batken", "BATKEN", None, False, False, None,
               15, "SOCIAL_FUND", ("Marat Demo-Saliev", "Director")),
    CompanyRow("alay", "01106201410101", "Demo Alay Polymetals LLC", "LLC",
               "33 Demo Street, Osh", "OSH_CITY", None, False, False, None,
               55, f"{_TAXES} CUSTOMS", ("Dilnoza Demo-Karimova", "Chief accountant")),
    CompanyRow("naryn", "02811202110112", "Demo Naryn Copper Exploration LLC", "LLC",
               "7 Demo Street, Naryn", "NARYN", None, False, False, None,
               12, "VAT SOCIAL_FUND", ("Erlan Demo-Tashiev", "Director")),
    CompanyRow("terekti", "00208201710123", "Demo Terekti Tungsten LLC", "LLC",
               "11 Demo Street, Cholpon-Ata, Issyk-Kul Region", "ISSYK_KUL", None, False, False, None,
               40, _TAXES, ("Asel Demo-Usenova", "General director")),
)
#: companies below the threshold known only from an agency's receipts: no account, no licence
UNREGISTERED_COMPANIES = (
    ("sary_jaz", "00719202200144", "Demo Sary-Jaz Gravel LLC"),
)


class LicenceRow(NamedTuple):
    """A licence (project) at one of the programme's 25 sites."""

    number: str
    company: str
    site: str  #: programme site code (reference.loader.site_code)
    kind: str  #: exploration | extraction
    project_name: str
    issued_on: str
    expires_on: str
    status: str  #: active | suspended | expired
    weight: int  #: size of the project's payments, percent of STREAM_BASE_KGS
    locality: str  #: the town or aiyl okmotu receiving the subnational payments


LICENCES = (
    LicenceRow("KG-DEMO-0001-AP", "kutessay", "T1-01", "extraction", "Kutessay-II rare earths (demo)",
               "2019-03-15", "2039-03-14", "active", 100, "Ak-Tuz village"),
    LicenceRow("KG-DEMO-0002-AE", "kutessay", "T2-02", "exploration", "Kemin bismuth exploration (demo)",
               "2022-06-01", "2027-05-31", "active", 80, "Kemin town"),
    LicenceRow("KG-DEMO-0003-AP", "aktash", "T1-03", "extraction", "North Aktash antimony and fluorite (demo)",
               "2017-09-20", "2037-09-19", "active", 130, "Kadamjay town"),
    LicenceRow("KG-DEMO-0004-AP", "aktash", "T2-01", "extraction", "Kadamjay antimony (demo)",
               "2012-04-10", "2032-04-09", "active", 55, "Kadamjay town"),
    LicenceRow("KG-DEMO-0005-AP", "kalesay", "T1-02", "extraction", "Kalesay beryllium (demo)",
               "2021-02-01", "2041-01-31", "active", 40, "Kemin town"),
    LicenceRow("KG-DEMO-0006-AP", "ompol", "T1-04", "extraction", "Kyzyl-Ompol titanium placer (demo)",
               "2018-11-05", "2038-11-04", "active", 75, "Cholpon-Ata town"),
    LicenceRow("KG-DEMO-0007-AP", "state_silver", "T3-01", "extraction", "Aktobe-Karagoy silver (demo)",
               "2016-05-16", "2036-05-15", "active", 95, "Gulcha village"),
    LicenceRow("KG-DEMO-0008-AE", "state_silver", "T3-04", "exploration", "Zharkonush silver exploration (demo)",
               "2023-03-01", "2028-02-28", "active", 60, "Kara-Balta town"),
    LicenceRow("KG-DEMO-0009-AP", "talas", "T2-03", "extraction", "Tokhtonisay copper (demo)",
               "2015-07-01", "2035-06-30", "active", 65, "Talas town"),
    LicenceRow("KG-DEMO-0010-AE", "talas", "T2-05", "exploration", "Kyzyl-Tash terbium exploration (demo)",
               "2019-10-01", "2024-12-31", "expired", 40, "Kara-Buura village"),
    LicenceRow("KG-DEMO-0011-AE", "talas", "T3-07", "exploration", "Kenkol anomaly No. 1 (demo)",
               "2025-02-10", "2030-02-09", "active", 50, "Talas town"),
    LicenceRow("KG-DEMO-0012-AP", "tossor", "T2-04", "extraction", "Tossor manganese (demo)",
               "2014-08-25", "2034-08-24", "active", 35, "Bokonbaevo village"),
    LicenceRow("KG-DEMO-0013-AP", "chatkal", "T3-03", "extraction", "Zhanteke-Zaksay silver (demo)",
               "2020-04-15", "2040-04-14", "active", 85, "Ala-Buka village"),
    LicenceRow("KG-DEMO-0014-AE", "chatkal", "T3-10", "exploration", "Takhtalyk vanadium exploration (demo)",
               "2024-05-20", "2029-05-19", "active", 45, "Toktogul town"),
    LicenceRow("KG-DEMO-0015-AE", "chatkal", "T3-02", "exploration", "Buldurok copper exploration (demo)",
               "2021-09-01", "2026-08-31", "active", 35, "Ala-Buka village"),
    LicenceRow("KG-DEMO-0016-AE", "bauxite", "T3-06", "exploration", "Karanglin bauxite exploration (demo)",
               "2020-01-20", "2026-01-19", "suspended", 30, "Kyzyl-Kiya town"),
    LicenceRow("KG-DEMO-0017-AE", "bauxite", "T3-13", "exploration", "Varukh bauxite exploration (demo)",
               "2021-06-10", "2026-06-09", "suspended", 30, "Kyzyl-Kiya town"),
    LicenceRow("KG-DEMO-0018-AP", "alay", "T3-05", "extraction", "Karabulak lead (demo)",
               "2013-03-03", "2033-03-02", "active", 60, "Gulcha village"),
    LicenceRow("KG-DEMO-0019-AE", "alay", "T3-08", "exploration", "Oital 1 copper exploration (demo)",
               "2022-02-14", "2027-02-13", "active", 30, "Kara-Kulja village"),
    LicenceRow("KG-DEMO-0020-AE", "alay", "T3-09", "exploration", "Oital 2 copper exploration (demo)",
               "2022-02-14", "2027-02-13", "active", 30, "Kara-Kulja village"),
    LicenceRow("KG-DEMO-0021-AE", "alay", "T3-11", "exploration", "Tereksu copper exploration (demo)",
               "2024-08-01", "2029-07-31", "active", 40, "Gulcha village"),
    LicenceRow("KG-DEMO-0022-AE", "naryn", "T3-15", "exploration", "Bazalatash copper exploration (demo)",
               "2021-11-11", "2026-11-10", "active", 35, "At-Bashy village"),
    LicenceRow("KG-DEMO-0023-AE", "naryn", "T3-16", "exploration", "Kara-Su copper exploration (demo)",
               "2024-03-01", "2029-02-28", "active", 30, "Toktogul town"),
    LicenceRow("KG-DEMO-0024-AP", "terekti", "T3-12", "extraction", "Terekti tungsten (demo)",
               "2019-12-01", "2039-11-30", "active", 45, "Karakol town"),
    LicenceRow("KG-DEMO-0025-AE", "terekti", "T3-14", "exploration", "Zavod (South Chokoy) tungsten (demo)",
               "2023-07-07", "2028-07-06", "active", 25, "Kara-Kulja village"),
)


class UserRow(NamedTuple):
    """A demo account; every one signs in with DEMO_PASSWORD."""

    email: str
    full_name: str
    role: str  #: Role value
    belongs_to: str | None  #: company key (filers) or agency code (officers)
    is_signatory: bool
    position: str | None
    description: str  #: printed by ``esg-portal serve``


USERS = (
    UserRow("admin@demo.kg", "Demo Administrator", "admin", None, False, None, "administrator"),
    UserRow("secretariat@demo.kg", "Demo Secretariat Officer", "secretariat", None, False, "EITI secretariat",
            "EITI secretariat"),
    UserRow("sts@demo.kg", "Demo Tax Officer", "agency_officer", "STS", False, "Inspector",
            "agency officer, State Tax Service"),
    UserRow("customs@demo.kg", "Demo Customs Officer", "agency_officer", "SCS", False, "Inspector",
            "agency officer, State Customs Service"),
    UserRow("filer1@demo.kg", "Aibek Demo-Filer", "company_filer", "kutessay", True, "Chief accountant",
            "company filer and signatory, Demo Kutessay Rare Metals LLC (2025 draft)"),
    UserRow("filer1-assistant@demo.kg", "Jyldyz Demo-Assistant", "company_filer", "kutessay", False,
            "Accountant", "company filer, not a signatory, Demo Kutessay Rare Metals LLC"),
    UserRow("filer2@demo.kg", "Nurgul Demo-Filer", "company_filer", "aktash", True, "Finance director",
            "company filer and signatory, Demo Aktash Antimony JSC (2025 draft)"),
    UserRow("filer3@demo.kg", "Temir Demo-Bekov", "company_filer", "state_silver", True, "Chairman of the board",
            "company filer and signatory, Demo Kyrgyz State Silver OJSC (2025 queried)"),
)

#: (year, company, status, submitted_at UTC); a second row for the same company and year is
#: the next version (the amendment). Drafts are never submitted.
FILINGS = (
    (2024, "kutessay", "accepted", "2025-05-12 04:20"),
    (2024, "aktash", "accepted", "2025-05-28 10:05"),
    (2024, "kalesay", "accepted", "2025-04-30 08:45"),
    (2024, "ompol", "accepted", "2025-06-02 05:30"),
    (2024, "state_silver", "accepted", "2025-06-16 11:00"),
    (2024, "talas", "accepted", "2025-06-20 09:12"),
    (2024, "tossor", "accepted", "2025-06-11 03:55"),
    (2024, "chatkal", "accepted", "2025-05-19 07:40"),
    (2024, "bauxite", "accepted", "2025-04-21 06:00"),
    (2024, "alay", "accepted", "2025-06-25 10:30"),
    (2024, "naryn", "submitted", "2025-06-27 11:48"),
    (2024, "terekti", "submitted", "2025-06-30 08:02"),
    (2025, "kutessay", "draft", None),
    (2025, "aktash", "draft", None),
    (2025, "kalesay", "submitted", "2026-03-16 05:10"),
    (2025, "ompol", "accepted", "2026-02-20 08:00"),
    (2025, "state_silver", "queried", "2026-03-02 10:25"),
    (2025, "talas", "answered", "2026-02-26 04:40"),
    (2025, "tossor", "superseded", "2026-03-10 05:00"),
    (2025, "tossor", "submitted", "2026-04-02 09:45"),
    (2025, "chatkal", "accepted", "2026-03-05 06:30"),
    (2025, "bauxite", "submitted", "2026-01-28 07:15"),
    (2025, "alay", "queried", "2026-03-20 09:00"),
    (2025, "naryn", "submitted", "2026-03-25 03:30"),
    (2025, "terekti", "accepted", "2026-03-11 08:20"),
)
ATTESTATION_TEXT = ("I confirm that this disclosure is complete and accurate and agrees with the company's "
                    "accounting records. (Demo data: fictional.)")
#: drafts hold only the lines their filers have entered so far
DRAFT_STREAMS = ("ROYALTY", "REVENUE_TAX", "LOCAL_DEV", "LICENCE_FEE", "SOCIAL_FUND")
#: (year, company) → reason for a nil declaration (no lines)
NIL_DECLARATIONS = {
    (2025, "bauxite"): "Both exploration licences were suspended for the whole of 2025; no payments were due or made.",
}
#: (year, company, version) → (reason, stream, project, amount missing from the previous version)
AMENDMENTS = {
    (2025, "tossor", 2): ("Royalty for the fourth quarter was left out of version 1 (accounting cut-off error).",
                          "ROYALTY", "KG-DEMO-0012-AP", "1240000.00"),
}

#: Period totals for a weight of 100, KGS. Multiples of 100 keep every derived figure exact.
STREAM_BASE_KGS = {
    "ROYALTY": "42600000", "BONUS": "4500000", "LICENCE_FEE": "184600", "REVENUE_TAX": "21300000",
    "LOCAL_DEV": "8520000", "CIT": "31750000", "VAT": "18240000", "CUSTOMS": "3960000",
    "EXPORT_DUTY": "6870000", "PROPERTY_TAX": "1284000", "SOCIAL_FUND": "11430000",
    "POLLUTION_FEE": "356400", "DIVIDENDS_STATE": "15000000",
}
#: streams levied per licence, by kind; a BONUS is added in the year a licence is issued
PROJECT_STREAMS = {
    "extraction": ("ROYALTY", "REVENUE_TAX", "LOCAL_DEV", "PROPERTY_TAX", "POLLUTION_FEE"),
    "exploration": ("LICENCE_FEE",),
}
#: payments grow from one year to the next (percent)
YEAR_GROWTH = {2024: 100, 2025: 106}
#: (year, company, stream, project) → (amount, currency, in-kind volume, in-kind unit, comment)
PAYMENT_OVERRIDES = {
    (2024, "chatkal", "BONUS", "KG-DEMO-0014-AE"): ("120000.00", "USD", None, None, "Signature bonus set in USD"),
    (2024, "alay", "BONUS", "KG-DEMO-0021-AE"): ("45000.00", "USD", None, None, "Signature bonus set in USD"),
    (2024, "state_silver", "DIVIDENDS_STATE", ""): ("74375000.00", "KGS", "850.000", "kg Ag",
                                                    "Dividend paid in refined silver, valued at the NBKR price"),
    (2024, "ompol", "VAT", ""): ("-1250000.00", "KGS", None, None, "Net VAT refund on exported titanium concentrate"),
}

#: (agency, submitted_at UTC, officer) of the 2024 receipt batches
RECEIPT_BATCHES_2024 = (
    ("STS", "2025-07-10 05:00", "sts@demo.kg"),
    ("SCS", "2025-07-08 09:30", "customs@demo.kg"),
    ("MNR", "2025-07-14 04:15", None),
    ("SF", "2025-07-11 08:00", None),
    ("SPMF", "2025-07-15 10:40", None),
    ("LSG", "2025-07-18 06:20", None),
)
#: How the agencies' books differ from the companies' 2024 filings (the reconciliation's work):
#: (kind, company, stream, project, amount KGS, other stream).
#: timing: the agency booked part of the payment in 2025, so its 2024 total is smaller;
#: classification: the agency booked part of the stream under the other stream;
#: unreported: the company left the line out of its filing, the agency received it;
#: rounding: a difference of tyiyn, inside any margin.
DISCREPANCIES_2024 = (
    ("timing", "ompol", "CIT", "", "1850000.00", None),
    ("classification", "alay", "ROYALTY", "KG-DEMO-0018-AP", "450000.00", "REVENUE_TAX"),
    ("unreported", "talas", "POLLUTION_FEE", "KG-DEMO-0009-AP", None, None),
    ("rounding", "tossor", "PROPERTY_TAX", "KG-DEMO-0012-AP", "0.40", None),
)
#: receipts of companies without an account: (agency, company, stream, amount KGS)
UNREGISTERED_RECEIPTS_2024 = (
    ("STS", "sary_jaz", "CIT", "342150.00"),
    ("STS", "sary_jaz", "VAT", "518720.00"),
    ("LSG", "sary_jaz", "PROPERTY_TAX", "61300.00"),
)
#: the State Tax Service's 2025 batch, still a draft: these companies' lines of these streams
DRAFT_RECEIPTS_2025 = ("STS", ("kalesay", "ompol", "chatkal"), ("ROYALTY", "CIT"))

#: ESG sections of filed versions, in the interchange form of the API (INTERFACES.md §4), stored
#: through the sections' own codec: (year, company) → {section: body}. filer1's and filer2's
#: companies list their beneficial owners and social-package agreements for 2024, so that their
#: 2025 drafts show what carries over: the owners and the agreements still running on 1 January
#: 2025 (Kutessay's 2022–2024 agreement has ended and stays behind). Every person is fictional.
ESG_SECTIONS = {
    (2024, "kutessay"): {
        "beneficial_owners": [
            {"surname": "Demo-Sadyrov", "given_name": "Almaz", "patronymic": "Kubanychbekovich", "nationality": "KG",
             "country_of_residence": "KG", "ownership_pct": "55", "voting_pct": "55", "direct_or_indirect": "direct",
             "means_of_control": ["shares", "voting_rights", "board_appointment"], "control_details": "",
             "is_pep": False, "pep_position": "", "date_of_birth": "1968-02-14", "id_document": "ID0000001 (demo)"},
            {"surname": "Demo-Lee", "given_name": "Min-jun", "patronymic": "", "nationality": "KR",
             "country_of_residence": "KR", "ownership_pct": "45", "voting_pct": None,
             "direct_or_indirect": "indirect", "means_of_control": ["shares"],
             "control_details": "Through Demo Rare Holdings Ltd (Cyprus), which holds 45 per cent of the shares",
             "is_pep": False, "pep_position": "", "date_of_birth": "1975-09-30",
             "id_document": "Passport M00000002 (demo)"},
        ],
        "social_agreements": [
            {"counterparty_kind": "aiyl_okmotu", "counterparty_name": "Демо Ак-Түз айыл өкмөтү",
             "district": "Кемин району", "region": "CHUY", "agreement_number": "СП-03/2023",
             "signed_date": "2022-12-15", "start_date": "2023-01-01", "end_date": "2027-12-31",
             "legal_basis": "licence", "committed_cash_kgs": "12000000.00",
             "committed_in_kind": [{"description": "Мектепке көмүр (жылына 80 т)", "estimated_value_kgs": "480000.00"}],
             "disbursed_cash_kgs": "3000000.00", "disbursed_in_kind_kgs": "480000.00",
             "purposes": ["water", "education"], "purpose_other": "",
             "beneficiaries": "Ак-Түз айылынын тургундары жана мектеби", "beneficiaries_count": 1800,
             "hearing_reference": "", "agreement_attachment": None},
            {"counterparty_kind": "town", "counterparty_name": "Демо Кемин шаарынын мэриясы",
             "district": "Кемин району", "region": "CHUY", "agreement_number": "СП-01/2022",
             "signed_date": "2021-12-20", "start_date": "2022-01-01", "end_date": "2024-12-31",
             "legal_basis": "voluntary", "committed_cash_kgs": "1800000.00", "committed_in_kind": [],
             "disbursed_cash_kgs": "600000.00", "disbursed_in_kind_kgs": None, "purposes": ["jobs_training"],
             "purpose_other": "", "beneficiaries": "Кемин шаарынын жаштары (кесиптик окуу)",
             "beneficiaries_count": 60, "hearing_reference": "", "agreement_attachment": None},
        ],
    },
    (2024, "aktash"): {
        "beneficial_owners": [
            {"surname": "Demo-Toktomatova", "given_name": "Aigul", "patronymic": "Bakirovna", "nationality": "KG",
             "country_of_residence": "KG", "ownership_pct": "40", "voting_pct": "40",
             "direct_or_indirect": "direct", "means_of_control": ["shares", "voting_rights"],
             "control_details": "", "is_pep": True,
             "pep_position": "Former deputy head of a district administration (2016–2019, demo)",
             "date_of_birth": "1970-06-01", "id_document": "ID0000003 (demo)"},
            {"surname": "Demo-Osmonov", "given_name": "Bakyt", "patronymic": "Asanovich", "nationality": "KG",
             "country_of_residence": "KZ", "ownership_pct": "30", "voting_pct": "30",
             "direct_or_indirect": "direct", "means_of_control": ["shares", "voting_rights", "senior_management"],
             "control_details": "Also the general director", "is_pep": False, "pep_position": "",
             "date_of_birth": "1981-11-23", "id_document": "ID0000004 (demo)"},
        ],
        "social_agreements": [
            {"counterparty_kind": "town", "counterparty_name": "Демо Кадамжай шаарынын мэриясы",
             "district": "Кадамжай району", "region": "BATKEN", "agreement_number": "СП-11/2024",
             "signed_date": "2024-02-20", "start_date": "2024-03-01", "end_date": None, "legal_basis": "law",
             "committed_cash_kgs": "20000000.00", "committed_in_kind": [],
             "disbursed_cash_kgs": "4500000.00", "disbursed_in_kind_kgs": None,
             "purposes": ["infrastructure", "health"], "purpose_other": "",
             "beneficiaries": "Кадамжай шаарынын тургундары (оорукана жана жол)", "beneficiaries_count": 13000,
             "hearing_reference": "", "agreement_attachment": None},
        ],
    },
}
