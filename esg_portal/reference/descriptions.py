"""Plain-language descriptions of the revenue streams in ky/ru/en, for residents (shipped with the package)."""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

DESCRIPTIONS = Path(__file__).resolve().parents[1] / "data" / "revenue_stream_descriptions.csv"


@lru_cache(maxsize=1)
def stream_descriptions() -> dict[str, dict[str, str]]:
    """Stream code → {"ky", "ru", "en"}: what the payment is, who pays it to whom, on what."""
    with DESCRIPTIONS.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: {lang: row[f"description_{lang}"] for lang in ("ky", "ru", "en")}
                for row in csv.DictReader(handle)}
