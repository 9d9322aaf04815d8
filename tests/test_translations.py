"""Translations: the ky and ru catalogs are complete, match the source, and are served.

A string added to the code or a template without a Kyrgyz and a Russian translation
fails here: run ``make update-catalogs``, translate the new entries in
``esg_portal/translations/{ky,ru}/LC_MESSAGES/messages.po`` (glossary:
``esg_portal/data/glossary.csv``) and ``pybabel compile -d esg_portal/translations``.
"""
from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from markupsafe import escape

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "esg_portal" / "translations"
REFERENCE = ROOT / "esg_portal" / "data" / "reference"
GLOSSARY = ROOT / "esg_portal" / "data" / "glossary.csv"
LOCALES = ("ky", "ru")
#: the keywords of ``make extract-messages``: Babel's defaults plus the lazy ones
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
#: messages that may stay in Latin script (codes and format names, the same in every language)
LATIN_ALLOWED = {"API", "CSV", "ESG", "GFS", "JSON", "KGS", "PDF", "SHA-256", "USD", "XLSX"}

_PLACEHOLDER = re.compile(r"%(?:\((?P<name>[^)]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?P<type>[diouxXeEfFgGcrsa%])")
_CYRILLIC = re.compile(r"[А-Яа-яЁёӨөҮүҢң]")


@cache
def catalog(locale: str) -> Catalog:
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=locale)


def messages(locale: str):
    return [m for m in catalog(locale) if m.id]


def label(message) -> str:
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return f"{message.context}|{msgid}" if message.context else msgid


def forms(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


@cache
def source_messages() -> dict[tuple[str, str | None], str | tuple[str, ...]]:
    """Every message the code and templates use now, extracted as ``make extract-messages`` does."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, str(ROOT / "babel.cfg"))
    found = {}
    for _filename, _lineno, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        singular = message[0] if isinstance(message, tuple) else message
        if singular:
            found[(singular, context)] = message
    return found


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_header_has_the_language_and_its_plural_rule(locale):
    cat = catalog(locale)
    assert str(cat.locale) == locale
    assert not cat.fuzzy, f"{locale}: the catalog header is marked fuzzy"
    expected = get_plural(Locale.parse(locale))
    assert (cat.num_plurals, cat.plural_expr) == (expected.num_plurals, expected.plural_expr)
    assert (cat.num_plurals, locale) in {(2, "ky"), (3, "ru")}


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated_and_none_is_fuzzy(locale):
    cat = catalog(locale)
    empty = [label(m) for m in messages(locale)
             if len(forms(m)) != (cat.num_plurals if m.pluralizable else 1) or not all(f.strip() for f in forms(m))]
    fuzzy = [label(m) for m in messages(locale) if m.fuzzy]
    assert not empty, f"{locale}: {len(empty)} messages without a (complete) translation:\n" + "\n".join(empty)
    assert not fuzzy, f"{locale}: {len(fuzzy)} fuzzy messages:\n" + "\n".join(fuzzy)


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_are_not_left_in_english(locale):
    left = [label(m) for m in messages(locale)
            if label(m) not in LATIN_ALLOWED and not all(_CYRILLIC.search(f) for f in forms(m))]
    assert not left, f"{locale}: translations without a single Cyrillic letter:\n" + "\n".join(left)


def test_every_message_of_the_source_is_in_both_catalogs():
    used = source_messages()
    assert len(used) > 50, "extraction found almost nothing: check babel.cfg"
    problems = []
    for locale in LOCALES:
        cat = catalog(locale)
        for (singular, context), message in sorted(used.items(), key=lambda item: (item[0][0], item[0][1] or "")):
            entry = cat.get(singular, context)
            where = f"{context}|{singular}" if context else singular
            if entry is None:
                problems.append(f"{locale}: missing {where!r}")
            elif isinstance(message, tuple) != entry.pluralizable:
                problems.append(f"{locale}: {where!r} is {'plural' if isinstance(message, tuple) else 'singular'} "
                                "in the source but not in the catalog")
    assert not problems, ("messages used in the source but not translated "
                          "(run `make update-catalogs` and translate them):\n" + "\n".join(problems))


def _placeholders(text: str) -> set[tuple[str | None, str]]:
    return {(m.group("name"), m.group("type")) for m in _PLACEHOLDER.finditer(text) if m.group("type") != "%"}


@pytest.mark.parametrize("locale", LOCALES)
def test_python_format_placeholders_are_kept(locale):
    problems = []
    for message in messages(locale):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        if not message.python_format:
            stray = [f for f in forms(message) if "%(" in f]
            if stray:
                problems.append(f"{label(message)!r}: placeholder in a translation of a plain message")
            continue
        wanted = set().union(*(_placeholders(i) for i in ids))
        named = {name: 1 for name, _type in wanted if name}
        for form in forms(message):
            if _placeholders(form) != wanted:
                problems.append(f"{label(message)!r}: {sorted(_placeholders(form), key=str)} instead of "
                                f"{sorted(wanted, key=str)} in {form!r}")
                continue
            positional = sum(1 for m in _PLACEHOLDER.finditer(form) if not m.group("name") and m.group("type") != "%")
            try:
                form % (named if named else (1,) * positional)
            except (TypeError, ValueError, KeyError) as error:
                problems.append(f"{label(message)!r}: {form!r} cannot be formatted ({error})")
    assert not problems, f"{locale}:\n" + "\n".join(problems)


def _translation(locale: str, msgid: str) -> str:
    if locale == "en":
        return msgid  # English is the source language
    entry = catalog(locale).get(msgid)
    assert entry is not None and entry.string and entry.string != msgid, f"{locale}: {msgid!r} is not translated"
    return entry.string


@pytest.mark.parametrize("locale", ["ky", "ru", "en"])
def test_login_page_is_served_in_the_asked_language(client, locale):
    response = client.get(f"/login?lang={locale}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert re.search(rf'<html lang="{locale}"', page)
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    assert heading, "the login page has no <h1>"
    expected = str(escape(_translation(locale, "Sign in")))
    assert heading.group(1).strip() == expected, (
        f"{locale}: heading {heading.group(1).strip()!r}, catalog says {expected!r} "
        "(are the .mo files compiled? `pybabel compile -d esg_portal/translations`)")
    # a lazy form label is translated too
    assert str(escape(_translation(locale, "Password"))) in page


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("path", sorted(REFERENCE.glob("*.csv")), ids=lambda p: p.name)
def test_reference_names_exist_in_kyrgyz_and_russian(path):
    rows = _rows(path)
    assert rows
    if "name_en" not in rows[0]:
        pytest.skip("no names in this file")
    assert {"name_ru", "name_ky"} <= set(rows[0]), f"{path.name} lacks a name_ru or name_ky column"
    problems = []
    for number, row in enumerate(rows, start=2):
        for column in ("name_ru", "name_ky"):
            value = (row[column] or "").strip()
            if not value or not _CYRILLIC.search(value):
                problems.append(f"line {number} ({row['name_en']}): {column} is {value!r}")
        if re.search(r"[ӨөҮүҢң]", row["name_ru"] or ""):
            problems.append(f"line {number} ({row['name_en']}): Kyrgyz letters in name_ru {row['name_ru']!r}")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def test_glossary_rows_are_complete_and_unique():
    rows = _rows(GLOSSARY)
    assert list(rows[0]) == ["en", "ru", "ky", "note"]
    incomplete = [row["en"] for row in rows if not (row["en"].strip() and row["ru"].strip() and row["ky"].strip())]
    assert not incomplete, f"glossary rows without a translation: {incomplete}"
    terms = [row["en"].strip().lower() for row in rows]
    assert len(terms) == len(set(terms)), "duplicate glossary terms"
