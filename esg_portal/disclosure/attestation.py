"""The standard attestation a signatory gives when submitting a filing, in ky, ru and en.

The text is stored with each submitted version exactly as the signatory saw it
(``Disclosure.attestation_text``), so it lives here as fixed text rather than in the
translation catalogs: a later wording fix in a catalog must never change what a past
filing says was attested. The HTML submit page and the API both take it from here.
"""
from __future__ import annotations

#: locale → the attestation, word for word as it is shown and stored
ATTESTATION_TEXTS: dict[str, str] = {
    "en": (
        "By signing this disclosure on behalf of the company, I confirm that the information it contains is "
        "complete and accurate, agrees with the company's accounting records and has been prepared in accordance "
        "with the reporting requirements of the Extractive Industries Transparency Initiative (EITI) in the "
        "Kyrgyz Republic. I understand that the disclosure will be published and used to reconcile the company's "
        "payments with government receipts."
    ),
    "ru": (
        "Подписывая настоящий отчёт о раскрытии информации от имени компании, я подтверждаю, что содержащиеся в нём "
        "сведения полны и достоверны, соответствуют данным бухгалтерского учёта компании и подготовлены в "
        "соответствии с требованиями к отчётности Инициативы прозрачности деятельности добывающих отраслей (ИПДО) "
        "в Кыргызской Республике. Мне известно, что отчёт будет опубликован и использован для сверки платежей "
        "компании с поступлениями в государственный бюджет."
    ),
    "ky": (
        "Маалыматты ачыкка чыгаруу боюнча ушул отчетко компаниянын атынан кол коюу менен, андагы маалыматтар толук "
        "жана анык экендигин, компаниянын бухгалтердик эсебинин маалыматтарына шайкеш келгендигин жана Кыргыз "
        "Республикасындагы Кен казып алуу тармактарындагы ачык-айкындуулук демилгесинин (КТАД) отчеттуулук "
        "талаптарына ылайык даярдалгандыгын ырастаймын. Отчет жарыялана тургандыгы жана компаниянын төлөмдөрүн "
        "мамлекеттик бюджетке келип түшүүлөр менен салыштырып текшерүү үчүн пайдаланыла тургандыгы мага маалым."
    ),
}

def attestation_text(locale: str | None) -> str:
    """The attestation in ``locale`` (ky, ru or en); any other value gets the English text."""
    return ATTESTATION_TEXTS.get(str(locale or "").split("_")[0].lower(), ATTESTATION_TEXTS["en"])


def signed_language(text: str | None, texts: dict[str, str] = ATTESTATION_TEXTS) -> str | None:
    """The language a stored attestation was given in (None: not one of the standard texts)."""
    return next((locale for locale, standard in texts.items() if standard == (text or "").strip()), None)


def reader_version(text: str | None, locale: str, texts: dict[str, str] = ATTESTATION_TEXTS) -> str | None:
    """The standard attestation in the reader's language, to show beside a text signed in another language;
    None when the reader reads the signed language (or the signed text is not a standard one)."""
    signed = signed_language(text, texts)
    reader = str(locale or "").split("_")[0].lower()
    if signed is None or signed == reader or reader not in texts:
        return None
    return texts[reader]
