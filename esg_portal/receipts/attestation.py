"""The attestation an agency officer gives when submitting receipts, in ky, ru and en.

Stored with each submitted batch exactly as shown (``ReceiptBatch.attestation_text``), so it
is fixed text here, not in the catalogs: a later wording fix must never change what a past
batch says was attested. The HTML page and the API both take it from here.
"""
from __future__ import annotations

ATTESTATION_TEXTS: dict[str, str] = {
    "en": (
        "On behalf of the government agency, I confirm that these receipts are complete and accurate and agree "
        "with the agency's records of amounts received in the budget for the reporting period. I understand that "
        "they will be used to reconcile government receipts with the payments disclosed by companies under the "
        "Extractive Industries Transparency Initiative (EITI) in the Kyrgyz Republic."
    ),
    "ru": (
        "От имени государственного органа я подтверждаю, что настоящие поступления полны и достоверны и "
        "соответствуют учётным данным органа о суммах, поступивших в бюджет за отчётный период. Мне известно, что "
        "они будут использованы для сверки поступлений в государственный бюджет с платежами, раскрытыми "
        "компаниями в рамках Инициативы прозрачности деятельности добывающих отраслей (ИПДО) в Кыргызской "
        "Республике."
    ),
    "ky": (
        "Мамлекеттик органдын атынан ушул келип түшүүлөр толук жана анык экендигин жана отчеттук мезгилде "
        "бюджетке келип түшкөн суммалар боюнча органдын эсеп маалыматтарына шайкеш келерин ырастаймын. Алар "
        "Кыргыз Республикасындагы Кен казып алуу тармактарындагы ачык-айкындуулук демилгесинин (КТАД) алкагында "
        "мамлекеттик бюджетке келип түшүүлөрдү компаниялар ачыкка чыгарган төлөмдөр менен салыштырып текшерүү "
        "үчүн пайдаланыла тургандыгы мага маалым."
    ),
}


def attestation_text(locale: str | None) -> str:
    """The attestation in ``locale`` (ky, ru or en); any other value gets the English text."""
    return ATTESTATION_TEXTS.get(str(locale or "").split("_")[0].lower(), ATTESTATION_TEXTS["en"])
