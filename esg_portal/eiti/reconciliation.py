"""The reconciliation engine (EITI.md Part A §4–§5): payments and receipts frames in, line and summary frames out.

Pure: imports nothing of the application but ``money``; loading from and saving to the database
live elsewhere. Amounts are int64 minor units (tyiyn) from end to end and percentages are int64
basis points of a percent (hundredths: ``1234`` is 12.34 %); every division is an explicit
half-even integer division, so no binary float ever touches a total or a percentage.

Line table columns (``reconcile``), sorted by the key ``company_inn, revenue_stream,
government_entity, project``:

- ``company_initial``, ``government_initial`` — the sums reported by each side (``<NA>`` when
  that side reported nothing for the key); ``initial_gap`` = government − company (``<NA>``
  on a one-sided line);
- ``company_adjustment``, ``government_adjustment`` — the sum of the accepted adjustments of
  that side (``<NA>`` when there is none); ``company_final``/``government_final`` = initial +
  adjustments (``<NA>`` when that side has neither); ``final_gap`` likewise;
- ``gap_pct`` — final gap ÷ final government amount (÷ company when government is 0; 0 when both
  are 0), basis points; ``pct_of_government_total`` — final gap ÷ Σ final government amounts of
  all lines, basis points (``<NA>`` when that total is 0); both Int64, or object holding Python
  ints in the freak case of a percentage beyond int64 (a gap ~10^14 times its base);
- ``status`` — one of ``STATUSES``; ``explanation`` — the distinct reason codes of the line's
  adjustments, sorted and comma-separated ("" when none).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from .. import money

KEY = ["company_inn", "revenue_stream", "government_entity", "project"]
#: Statuses in order of precedence, lowest first; the file CLI only ever emits the first four.
STATUSES = ["reconciled", "discrepancy", "company_only", "government_only",
            "not_reported", "not_participating", "not_applicable"]
RECONCILED, DISCREPANCY, COMPANY_ONLY, GOVERNMENT_ONLY, NOT_REPORTED, NOT_PARTICIPATING, NOT_APPLICABLE = range(7)
#: Adjustment reason codes (EITI.md Part A §5): these codes only, wherever reasons appear.
REASON_CODES = ["timing", "classification", "exchange_rate", "out_of_scope", "on_behalf_of",
                "omission", "entry_error", "other"]
SIDES = ("company", "government")
LINE_COLUMNS = KEY + ["company_initial", "government_initial", "initial_gap",
                      "company_adjustment", "government_adjustment", "company_final", "government_final",
                      "final_gap", "gap_pct", "pct_of_government_total", "status", "explanation"]
SUMMARY_AMOUNTS = ["company_amount", "government_amount", "gap"]
#: Basis points per percent and per whole: a percentage with 2 decimals is an integer of hundredths.
BP_PER_WHOLE = 10_000

_INT64_MAX = np.iinfo(np.int64).max
#: Every sum and gap is bounded by Σ|amount| over all input rows; below this bound none can overflow int64.
_MAGNITUDE_LIMIT = 1 << 62


class ReconciliationInputError(ValueError):
    """Input frames that the engine cannot reconcile as given (missing column, bad code, unknown currency…)."""


@dataclass(frozen=True)
class Scope:
    """Who should have reported and who is excused, as set by the secretariat for the period."""

    #: INNs of the in-scope companies; one that reported nothing gets ``not_reported`` (DNR)
    in_scope: frozenset[str] = frozenset()
    #: INNs of the companies that filed; None means "those with at least one payment row"
    reported: frozenset[str] | None = None
    #: INN → the secretariat's reason, for companies that do not participate (DNP)
    not_participating: Mapping[str, str] = field(default_factory=dict)
    #: (company INN, revenue stream) pairs that do not apply; an INN of "" applies the stream to everyone
    not_applicable: frozenset[tuple[str, str]] = frozenset()

    @classmethod
    def of(cls, *, in_scope: Iterable[str] = (), reported: Iterable[str] | None = None,
           not_participating: Mapping[str, str] | None = None,
           not_applicable: Iterable[tuple[str, str]] = ()) -> Scope:
        """A scope from any iterables (frozen copies are taken)."""
        return cls(frozenset(in_scope), None if reported is None else frozenset(reported),
                   dict(not_participating or {}), frozenset(tuple(pair) for pair in not_applicable))


# --- integer arithmetic -------------------------------------------------------------------------

def div_half_even(numerator: int, denominator: int) -> int:
    """numerator ÷ denominator rounded half-even to an integer, exactly (Python ints)."""
    if denominator == 0:
        raise ZeroDivisionError("division by zero")
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    quotient, remainder = divmod(numerator, denominator)  # floor: 0 ≤ remainder < denominator
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2):
        quotient += 1
    return quotient


def percent_bp(part: int, whole: int) -> int:
    """part ÷ whole × 100 in basis points (hundredths of a percent), half-even."""
    return div_half_even(int(part) * BP_PER_WHOLE, int(whole))


def _div_half_even_array(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Element-wise half-even integer division of int64 arrays; denominators must be non-zero."""
    negative = denominator < 0
    numerator = np.where(negative, -numerator, numerator)
    denominator = np.where(negative, -denominator, denominator)
    quotient, remainder = np.divmod(numerator, denominator)  # numpy floors like Python
    twice = 2 * remainder  # remainder < denominator ≤ 2^62, so no overflow
    quotient += (twice > denominator) | ((twice == denominator) & (quotient % 2 == 1))
    return quotient


def _percent_bp_array(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """part ÷ whole in basis points, half-even, for int64 arrays; whole ≠ 0 everywhere.

    int64 as a rule; an object array of Python ints when a percentage itself leaves int64.
    """
    safe = np.abs(part) <= _INT64_MAX // BP_PER_WHOLE
    if safe.all():
        return _div_half_even_array(part * BP_PER_WHOLE, whole)
    # beyond ~9.2 trillion som the scaled numerator leaves int64: those few go through Python ints
    result = np.zeros(len(part), dtype=np.int64)
    result[safe] = _div_half_even_array(part[safe] * BP_PER_WHOLE, whole[safe])
    huge = {}
    for i in np.flatnonzero(~safe):
        value = percent_bp(int(part[i]), int(whole[i]))
        if abs(value) <= _INT64_MAX:
            result[i] = value
        else:
            huge[i] = value
    if huge:
        # a gap ~10^14 times its base (0.01 som booked against billions): exact, not int64
        result = result.astype(object)
        for i, value in huge.items():
            result[i] = value
    return result


def _within_margin(gap: np.ndarray, government: np.ndarray, margin_bp: np.ndarray,
                   floor_minor: np.ndarray) -> np.ndarray:
    """|gap| ≤ max(floor, |government| × pct ÷ 100), compared exactly as |gap|·10⁴ ≤ |government|·bp."""
    size = np.abs(gap)
    base = np.abs(government)
    safe = (size <= _INT64_MAX // BP_PER_WHOLE) & (base <= _INT64_MAX // np.maximum(margin_bp, 1))
    within = size <= floor_minor
    within |= safe & (np.where(safe, size, 0) * BP_PER_WHOLE <= np.where(safe, base, 0) * margin_bp)
    for i in np.flatnonzero(~safe):
        within[i] = within[i] or int(size[i]) * BP_PER_WHOLE <= int(base[i]) * int(margin_bp[i])
    return within


def _usd_to_kgs(usd_minor: np.ndarray, rate_scaled: int) -> np.ndarray:
    """USD minor units → KGS minor units at a rate scaled by 10⁴, half-even to the tyiyn."""
    scale = 10 ** money.RATE_SCALE
    safe = np.abs(usd_minor) <= _INT64_MAX // rate_scaled
    result = np.zeros(len(usd_minor), dtype=np.int64)
    result[safe] = _div_half_even_array(usd_minor[safe] * rate_scaled, np.full(int(safe.sum()), scale))
    for i in np.flatnonzero(~safe):
        result[i] = money.usd_minor_to_kgs_minor(int(usd_minor[i]), rate_scaled)
    return result


# --- loading the frames -------------------------------------------------------------------------

def _require(frame: pd.DataFrame, name: str, columns: Iterable[str]) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ReconciliationInputError(f"{name} must be a DataFrame")
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ReconciliationInputError(f"{name}: missing column(s) {', '.join(missing)}")


def _int64(values: pd.Series, name: str, column: str) -> np.ndarray:
    """An integer column as int64; floats, text and empty cells are refused (money is never float)."""
    if not pd.api.types.is_integer_dtype(values.dtype):
        raise ReconciliationInputError(f"{name}.{column} must hold integers (minor units), not {values.dtype}")
    if values.hasnans:
        raise ReconciliationInputError(f"{name}.{column} has empty cells")
    return values.to_numpy(dtype=np.int64)


def convert_currency(frame: pd.DataFrame, currency: str = "KGS", usd_rate: int | None = None,
                     name: str = "frame") -> pd.DataFrame:
    """Rows in USD converted to KGS at the period rate (scaled ×10⁴), half-even; originals kept.

    Adds ``original_amount_minor`` and ``original_currency``; a frame without a ``currency``
    column is taken to be in ``currency`` already.
    """
    amounts, original, _converted = _amounts_in(frame, currency, usd_rate, name)
    result = frame.copy()
    result["original_amount_minor"] = original
    result["original_currency"] = frame["currency"] if "currency" in frame.columns else currency
    result["amount_minor"] = amounts
    result["currency"] = currency
    return result


def _amounts_in(frame: pd.DataFrame, currency: str, usd_rate: int | None,
                name: str) -> tuple[np.ndarray, np.ndarray, bool]:
    """(amounts in ``currency``, the amounts as given, whether any row was converted)."""
    currency = money.check_currency(currency)
    amounts = _int64(frame["amount_minor"], name, "amount_minor")
    if "currency" not in frame.columns or len(frame) == 0:
        return amounts, amounts, False
    if (frame["currency"].to_numpy(dtype=object) == currency).all():
        return amounts, amounts, False  # the common case, without hashing every row
    codes, uniques = pd.factorize(frame["currency"])
    if (codes < 0).any():
        raise ReconciliationInputError(f"{name}: currency is empty on row {int(np.argmax(codes < 0)) + 1}")
    uniques = [str(code) for code in uniques]
    if uniques == [currency]:
        return amounts, amounts, False
    foreign = [code for code in uniques if code != currency]
    if currency != "KGS" or foreign != ["USD"]:
        raise ReconciliationInputError(f"{name}: cannot convert {', '.join(foreign)} to {currency}; "
                                       "only USD rows are converted, to KGS, at the period rate")
    if usd_rate is None or int(usd_rate) <= 0:
        raise ReconciliationInputError(f"{name}: USD rows need the period's USD rate (scaled ×10^4)")
    is_usd = codes == uniques.index("USD")
    converted = amounts.copy()
    converted[is_usd] = _usd_to_kgs(amounts[is_usd], int(usd_rate))
    return converted, amounts, True


@dataclass
class _Rows:
    """One input side as arrays: the four key columns (object) and the amounts (int64)."""

    keys: list[np.ndarray]
    amount: np.ndarray


def _rows(frame: pd.DataFrame, name: str, currency: str, usd_rate: int | None) -> _Rows:
    _require(frame, name, ["company_inn", "revenue_stream", "government_entity", "amount_minor"])
    amounts, _original, _converted = _amounts_in(frame, currency, usd_rate, name)
    keys = [frame[column].to_numpy(dtype=object) if column in frame.columns
            else np.full(len(frame), "", dtype=object) for column in KEY]
    return _Rows(keys, amounts)


def _adjustment_rows(adjustments: pd.DataFrame | None, currency: str,
                     usd_rate: int | None) -> tuple[_Rows, np.ndarray, np.ndarray]:
    """Adjustments as rows plus, per row, whether it is the government side and its reason index."""
    if adjustments is None:
        empty = np.empty(0, dtype=object)
        return (_Rows([empty] * len(KEY), np.empty(0, dtype=np.int64)), np.empty(0, dtype=bool),
                np.empty(0, dtype=np.int64))
    name = "adjustments"
    _require(adjustments, name, ["company_inn", "revenue_stream", "government_entity", "side",
                                 "amount_minor", "reason"])
    rows = _rows(adjustments, name, currency, usd_rate)
    side = adjustments["side"].astype(object).to_numpy()
    bad_side = ~np.isin(side, SIDES)
    if bad_side.any():
        i = int(np.argmax(bad_side))
        raise ReconciliationInputError(f"{name}: side must be company or government, not {side[i]!r} "
                                       f"(row {i + 1})")
    reason = pd.Index(REASON_CODES).get_indexer(adjustments["reason"].astype(object))
    if (reason < 0).any():
        i = int(np.argmax(reason < 0))
        raise ReconciliationInputError(f"{name}: unknown reason {adjustments['reason'].iloc[i]!r} (row {i + 1}); "
                                       f"the codes are {', '.join(REASON_CODES)}")
    return rows, side == "government", reason


def _margin_arrays(margins: pd.DataFrame | None, streams: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(margin_bp, floor_minor) per stream code; a stream without a margin has 0 and 0."""
    bp = np.zeros(len(streams), dtype=np.int64)
    floor = np.zeros(len(streams), dtype=np.int64)
    if margins is None or len(margins) == 0:
        return bp, floor
    _require(margins, "margins", ["revenue_stream", "margin_bp", "floor_minor"])
    stream = margins["revenue_stream"].astype(object)
    if stream.duplicated().any():
        raise ReconciliationInputError(f"margins: stream {stream[stream.duplicated()].iloc[0]!r} appears twice")
    margin_bp = _int64(margins["margin_bp"], "margins", "margin_bp")
    floor_minor = _int64(margins["floor_minor"], "margins", "floor_minor")
    if (margin_bp < 0).any() or (floor_minor < 0).any():
        raise ReconciliationInputError("margins: the percentage and the floor cannot be negative")
    position = pd.Index(streams).get_indexer(stream)
    known = position >= 0  # margins of streams absent from the data do not matter
    bp[position[known]] = margin_bp[known]
    floor[position[known]] = floor_minor[known]
    return bp, floor


# --- keys ---------------------------------------------------------------------------------------

def _factorize_key(values: np.ndarray, column: str, names: list[str], bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes in sorted order of the values (so sorting codes sorts the text) and the sorted uniques."""
    codes, uniques = _factorize_objects(values)
    uniques = np.asarray(uniques, dtype=object)
    if column == "project":
        # "" (no project) and a missing project are the same thing, and code 0 sorts first
        if len(uniques) and uniques[0] == "":
            codes[codes < 0] = 0
        else:
            codes += 1
            uniques = np.concatenate([np.array([""], dtype=object), uniques])
    elif (codes < 0).any() or (len(uniques) and uniques[0] == ""):
        empty = 0 if len(uniques) and uniques[0] == "" else -1
        i = int(np.argmax((codes < 0) | (codes == empty)))
        frame = int(np.searchsorted(bounds, i, side="right"))
        row = i - (bounds[frame - 1] if frame else 0) + 1
        raise ReconciliationInputError(f"{names[frame]}: {column} is empty (row {row})")
    if len(uniques) and pd.api.types.infer_dtype(uniques, skipna=False) != "string":
        bad = next(value for value in uniques if not isinstance(value, str))
        raise ReconciliationInputError(f"{column} must be text, found {bad!r}")
    return codes.astype(np.int64, copy=False), uniques


def _factorize_objects(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(values, sort=True)`` for an object array, hashing each distinct object once.

    Key columns repeat a few thousand string objects over millions of rows, and hashing text
    row by row (one pointer chase per row) is the engine's main cost. The rows are first
    grouped by the object each holds — its address, an integer, while ``values`` keeps every
    object alive — then only one row per distinct object is factorised by value, so equal
    strings held by different objects still get one code. The result is the same as factorising
    ``values`` directly, missing values (code −1) included.
    """
    values = np.ascontiguousarray(values, dtype=object)
    if len(values) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=object)
    address = np.frombuffer(values, dtype=np.intp)  # a view: one machine word per row, no copy
    by_object, distinct = pd.factorize(address)
    one_row = np.empty(len(distinct), dtype=np.intp)
    one_row[by_object] = np.arange(len(values), dtype=np.intp)  # any row holding the object will do
    value_codes, uniques = pd.factorize(values[one_row], sort=True)
    return value_codes[by_object], uniques


def _combine(left: np.ndarray, n_left: int, right: np.ndarray, n_right: int, limit: int) -> tuple[np.ndarray, int]:
    """Codes of the pairs (left, right), ordered like the pairs; compressed when the product is sparse."""
    if n_left * n_right >= 1 << 62:
        # left has at most one code per row, so once compressed the product fits int64
        left, n_left = _sorted_codes(left)
    combined = left * n_right + right
    if n_left * n_right <= limit:
        return combined, n_left * n_right
    return _sorted_codes(combined)


def _sorted_codes(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Dense codes 0..n-1 of int64 values, in the values' order (a hash pass, then a sort of the uniques)."""
    codes, uniques = pd.factorize(values, sort=False)
    order = np.argsort(uniques, kind="stable")
    rank = np.empty(len(uniques), dtype=np.int64)
    rank[order] = np.arange(len(uniques), dtype=np.int64)
    return rank[codes], len(uniques)


def _check_magnitude(amounts: np.ndarray) -> None:
    """Refuse inputs whose sums could leave int64; Σ|amount| is computed exactly in two halves."""
    if len(amounts) == 0:
        return
    if amounts.min() == np.iinfo(np.int64).min:
        raise ReconciliationInputError("an amount is too large to reconcile exactly")
    size = np.abs(amounts).view(np.uint64)
    total = (int((size >> np.uint64(32)).sum(dtype=np.uint64)) << 32) + int((size & np.uint64(0xFFFFFFFF)).sum(dtype=np.uint64))
    if total >= _MAGNITUDE_LIMIT:
        raise ReconciliationInputError("the amounts are too large to reconcile exactly (Σ|amount| ≥ 2^62 minor units)")


# --- the engine ---------------------------------------------------------------------------------

def reconcile(payments: pd.DataFrame, receipts: pd.DataFrame, margins: pd.DataFrame | None = None, *,
              adjustments: pd.DataFrame | None = None, scope: Scope | None = None,
              usd_rate: int | None = None, currency: str = "KGS") -> pd.DataFrame:
    """The line table of payments against receipts under the margins, adjustments and scope (see the module doc).

    ``payments`` and ``receipts``: company_inn, revenue_stream, government_entity, project
    ("" when none), amount_minor (int64) and optionally currency (default ``currency``; USD
    rows are converted at ``usd_rate``, scaled ×10⁴). ``margins``: revenue_stream, margin_bp,
    floor_minor. ``adjustments`` (accepted ones only): the key, side (company|government),
    amount_minor, reason (``REASON_CODES``), optionally currency and comment.
    """
    scope = scope or Scope()
    pay = _rows(payments, "payments", currency, usd_rate)
    rec = _rows(receipts, "receipts", currency, usd_rate)
    adj, adj_government, adj_reason = _adjustment_rows(adjustments, currency, usd_rate)
    n_pay, n_rec, n_adj = len(pay.amount), len(rec.amount), len(adj.amount)
    n_rows = n_pay + n_rec + n_adj
    amount = np.concatenate([pay.amount, rec.amount, adj.amount])
    _check_magnitude(amount)

    # factorised keys over all rows at once, so one code means the same text on every side
    names = ["payments", "receipts", "adjustments"]
    bounds = np.cumsum([n_pay, n_rec, n_adj])
    codes, uniques = [], []
    for i, column in enumerate(KEY):
        values = np.concatenate([pay.keys[i], rec.keys[i], adj.keys[i]])
        column_codes, column_uniques = _factorize_key(values, column, names, bounds)
        codes.append(column_codes)
        uniques.append(column_uniques)
    company, stream, entity, project = codes
    sizes = [max(len(u), 1) for u in uniques]

    # (company, stream, entity) groups; dense enough to index boolean arrays by group
    group, n_groups = _combine(company, sizes[0], stream, sizes[1], 1 << 62)
    group, n_groups = _combine(group, n_groups, entity, sizes[2], 4 * max(n_rows, 1))

    # project fallback: project is part of the key only where both sides report every row by project
    is_pay = np.zeros(n_rows, dtype=bool)
    is_pay[:n_pay] = True
    is_rec = np.zeros(n_rows, dtype=bool)
    is_rec[n_pay:n_pay + n_rec] = True
    blank = project == 0
    by_project = np.zeros(n_groups, dtype=bool)
    by_project[group[:n_pay]] = True
    seen_rec = np.zeros(n_groups, dtype=bool)
    seen_rec[group[n_pay:n_pay + n_rec]] = True
    by_project &= seen_rec
    by_project[group[(is_pay | is_rec) & blank]] = False
    project = np.where(by_project[group], project, 0)

    key, _n_keys = _combine(group, n_groups, project, sizes[3], 1 << 62)
    line, n_lines = _sorted_codes(key)
    representative = np.empty(n_lines, dtype=np.int64)
    representative[line] = np.arange(n_rows, dtype=np.int64)

    def side_sum(selected: slice | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(sum per line, whether the line has any row) over the selected rows."""
        total = np.zeros(n_lines, dtype=np.int64)
        np.add.at(total, line[selected], amount[selected])
        present = np.zeros(n_lines, dtype=bool)
        present[line[selected]] = True
        return total, present

    company_initial, company_seen = side_sum(slice(0, n_pay))
    government_initial, government_seen = side_sum(slice(n_pay, n_pay + n_rec))
    adj_index = np.arange(n_pay + n_rec, n_rows)
    company_adjustment, company_adjusted = side_sum(adj_index[~adj_government])
    government_adjustment, government_adjusted = side_sum(adj_index[adj_government])
    company_final = company_initial + company_adjustment
    government_final = government_initial + government_adjustment
    company_present = company_seen | company_adjusted
    government_present = government_seen | government_adjusted
    two_sided = company_present & government_present
    final_gap = government_final - company_final

    line_company = company[representative]
    line_stream = stream[representative]
    line_entity = entity[representative]
    line_project = project[representative]

    # the margin test on the final figures, then the statuses of higher precedence over it
    margin_bp, floor_minor = _margin_arrays(margins, uniques[1])
    within = _within_margin(final_gap, government_final, margin_bp[line_stream], floor_minor[line_stream])
    status = np.where(within, RECONCILED, DISCREPANCY).astype(np.int8)
    status[~government_present] = COMPANY_ONLY
    status[~company_present] = GOVERNMENT_ONLY
    inns = uniques[0]
    companies_index = pd.Index(inns)
    if scope.in_scope:
        if scope.reported is None:
            reported = np.zeros(len(inns), dtype=bool)
            reported[company[:n_pay]] = True
        else:
            reported = np.isin(inns, list(scope.reported))
        silent = np.isin(inns, list(scope.in_scope)) & ~reported
        status[silent[line_company]] = NOT_REPORTED
    if scope.not_participating:
        status[np.isin(inns, list(scope.not_participating))[line_company]] = NOT_PARTICIPATING
    if scope.not_applicable:
        status[_not_applicable(scope, companies_index, uniques[1], line_company, line_stream)] = NOT_APPLICABLE

    # percentages: of the line's own base, and of the government total over all lines
    base = np.where(government_final != 0, government_final, company_final)
    nonzero = two_sided & (base != 0)
    gap_pct = _scatter(n_lines, nonzero, _percent_bp_array(final_gap[nonzero], base[nonzero]))
    government_total = int(government_final[government_present].sum())
    share = np.zeros(n_lines, dtype=np.int64)
    if government_total:
        share = _scatter(n_lines, two_sided, _percent_bp_array(final_gap[two_sided],
                                                               np.full(int(two_sided.sum()), government_total)))

    explanation = _explanations(line[n_pay + n_rec:], adj_reason, n_lines)

    def nullable(values: np.ndarray, present: np.ndarray) -> pd.api.extensions.ExtensionArray | np.ndarray:
        if values.dtype == object:
            return np.where(present, values, pd.NA)
        return pd.arrays.IntegerArray(values, ~present)

    initial_two_sided = company_seen & government_seen
    return pd.DataFrame(copy=False, data={
        "company_inn": inns[line_company],
        "revenue_stream": uniques[1][line_stream],
        "government_entity": uniques[2][line_entity],
        "project": uniques[3][line_project],
        "company_initial": nullable(company_initial, company_seen),
        "government_initial": nullable(government_initial, government_seen),
        "initial_gap": nullable(government_initial - company_initial, initial_two_sided),
        "company_adjustment": nullable(company_adjustment, company_adjusted),
        "government_adjustment": nullable(government_adjustment, government_adjusted),
        "company_final": nullable(company_final, company_present),
        "government_final": nullable(government_final, government_present),
        "final_gap": nullable(final_gap, two_sided),
        "gap_pct": nullable(gap_pct, two_sided),
        "pct_of_government_total": nullable(share, two_sided & (government_total != 0)),
        "status": np.array(STATUSES, dtype=object)[status],
        "explanation": explanation,
    })


def _scatter(size: int, where: np.ndarray, values: np.ndarray) -> np.ndarray:
    """An array of ``size`` zeros with ``values`` at ``where``, int64 unless ``values`` needs objects."""
    result = np.zeros(size, dtype=values.dtype if values.dtype == object else np.int64)
    result[where] = values
    return result


def _not_applicable(scope: Scope, companies: pd.Index, streams: np.ndarray, line_company: np.ndarray,
                    line_stream: np.ndarray) -> np.ndarray:
    """Lines whose (company, stream) pair, or whose stream for everyone, is not applicable."""
    stream_index = pd.Index(streams)
    everyone = np.zeros(len(streams), dtype=bool)
    pairs = []
    for inn, code in scope.not_applicable:
        s = stream_index.get_indexer([code])[0]
        if s < 0:
            continue
        if inn == "":
            everyone[s] = True
            continue
        c = companies.get_indexer([inn])[0]
        if c >= 0:
            pairs.append(c * len(streams) + s)
    hit = everyone[line_stream]
    if pairs:
        hit |= np.isin(line_company * len(streams) + line_stream, pairs)
    return hit


def _explanations(adjustment_lines: np.ndarray, reasons: np.ndarray, n_lines: int) -> np.ndarray:
    """Per line the distinct reason codes of its adjustments, sorted and comma-separated."""
    explanation = np.full(n_lines, "", dtype=object)
    found: dict[int, set[str]] = {}
    for line, reason in zip(adjustment_lines.tolist(), reasons.tolist()):
        found.setdefault(line, set()).add(REASON_CODES[reason])
    for line, codes in found.items():
        explanation[line] = ",".join(sorted(codes))
    return explanation


# --- summaries ----------------------------------------------------------------------------------

def summarise(lines: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per value of ``by`` (revenue_stream, government_entity or company_inn): amounts, gap and status counts.

    ``company_amount`` and ``government_amount`` are the sums of the final figures of every line
    (one-sided lines included) and ``gap`` = government_amount − company_amount; then the number
    of lines and the number in each status.
    """
    if by not in KEY[:3]:
        raise ValueError(f"cannot summarise by {by!r}")
    keys, groups = pd.factorize(lines[by].astype(object), sort=True)
    n = len(groups)
    company = np.zeros(n, dtype=np.int64)
    government = np.zeros(n, dtype=np.int64)
    np.add.at(company, keys, lines["company_final"].fillna(0).to_numpy(dtype=np.int64))
    np.add.at(government, keys, lines["government_final"].fillna(0).to_numpy(dtype=np.int64))
    result = {by: np.asarray(groups, dtype=object), "company_amount": company, "government_amount": government,
              "gap": government - company, "lines": np.bincount(keys, minlength=n).astype(np.int64)}
    status = pd.Index(STATUSES).get_indexer(lines["status"].astype(object))
    for i, name in enumerate(STATUSES):
        result[name] = np.bincount(keys[status == i], minlength=n).astype(np.int64)
    return pd.DataFrame(result)


def summary_by_stream(lines: pd.DataFrame) -> pd.DataFrame:
    """``summarise`` by revenue stream."""
    return summarise(lines, "revenue_stream")


def summary_by_entity(lines: pd.DataFrame) -> pd.DataFrame:
    """``summarise`` by government entity."""
    return summarise(lines, "government_entity")


def summary_by_company(lines: pd.DataFrame) -> pd.DataFrame:
    """``summarise`` by company INN."""
    return summarise(lines, "company_inn")


def totals(lines: pd.DataFrame) -> dict[str, object]:
    """Whole-run figures: amounts and gap (minor units), line counts per status and coverage (basis points)."""
    company = int(lines["company_final"].fillna(0).to_numpy(dtype=np.int64).sum())
    government = int(lines["government_final"].fillna(0).to_numpy(dtype=np.int64).sum())
    counts = lines["status"].astype(object).value_counts()
    return {"company_amount": company, "government_amount": government, "gap": government - company,
            "lines": len(lines), "counts": {name: int(counts.get(name, 0)) for name in STATUSES},
            "coverage_bp": coverage_bp(lines)}


def coverage_bp(lines: pd.DataFrame) -> int | None:
    """Σ government amount on two-sided lines ÷ Σ government amount on all lines, basis points; None when 0."""
    government = lines["government_final"].fillna(0).to_numpy(dtype=np.int64)
    two_sided = lines["company_final"].notna().to_numpy() & lines["government_final"].notna().to_numpy()
    whole = int(government.sum())
    if whole == 0:
        return None
    return percent_bp(int(government[two_sided].sum()), whole)


def non_reporting(lines: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """In-scope companies that filed nothing (not_reported) and non-participating ones, with what the government reported.

    Columns: company_inn, status, reason (the secretariat's, for not_participating),
    government_amount (Σ final government amounts of the company's lines, minor units), lines.
    Sorted by INN.
    """
    filed = set(lines.loc[lines["company_initial"].notna(), "company_inn"].astype(object)) \
        if scope.reported is None else set(scope.reported)
    silent = {inn: ("not_reported", "") for inn in scope.in_scope if inn not in filed}
    silent.update({inn: ("not_participating", reason) for inn, reason in scope.not_participating.items()})
    inns = sorted(silent)
    mine = lines[lines["company_inn"].isin(inns)]
    government = mine.groupby(mine["company_inn"].astype(object))["government_final"].sum()
    count = mine.groupby(mine["company_inn"].astype(object)).size()
    return pd.DataFrame({
        "company_inn": np.array(inns, dtype=object),
        "status": [silent[inn][0] for inn in inns],
        "reason": [silent[inn][1] for inn in inns],
        "government_amount": np.array([int(government.get(inn, 0)) for inn in inns], dtype=np.int64),
        "lines": np.array([int(count.get(inn, 0)) for inn in inns], dtype=np.int64),
    })


# --- formatting at the edge ---------------------------------------------------------------------

def format_amount(minor: int | None, currency: str = "KGS") -> str:
    """Minor units → the §2 interchange text ("1234567.89", "-500.00"); "" for a missing amount."""
    if minor is None or minor is pd.NA:
        return ""
    return money.format_plain(int(minor), currency)


def format_pct(bp: int | None) -> str:
    """Basis points → a percentage with exactly 2 decimals ("12.34", "-0.50", "0.00"); "" when missing."""
    if bp is None or bp is pd.NA:
        return ""
    return f"{Decimal(int(bp)).scaleb(-2):.2f}"


def _format_hundredths(values: pd.Series) -> pd.Series:
    """Integers of hundredths (nullable) → text with 2 decimals, vectorised; "" where missing."""
    if values.dtype == object:
        # only percentages beyond int64 come as Python ints: rare, so one at a time
        return values.map(lambda v: format_pct(None if pd.isna(v) else v)).astype(object)
    present = values.notna().to_numpy()
    number = values.fillna(0).to_numpy(dtype=np.int64)
    size = np.abs(number)
    whole = pd.Series(size // 100).astype(str)
    cents = pd.Series(size % 100).astype(str).str.zfill(2)
    text = np.where(number < 0, "-", "") + (whole + "." + cents).to_numpy(dtype=object)
    return pd.Series(np.where(present, text, ""), index=values.index, dtype=object)


def format_amounts(values: pd.Series, currency: str = "KGS") -> pd.Series:
    """``format_amount`` over a column of minor units, vectorised."""
    if money.CURRENCY_EXPONENT[money.check_currency(currency)] != 2:
        return values.map(lambda v: format_amount(None if pd.isna(v) else v, currency)).astype(object)
    return _format_hundredths(values)


def format_pcts(values: pd.Series) -> pd.Series:
    """``format_pct`` over a column of basis points, vectorised."""
    return _format_hundredths(values)
