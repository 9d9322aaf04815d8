"""Ask before a delete, without JavaScript: the first POST of a delete button shows a page that asks, the
second (``confirmed=1``, from that page) deletes. The revision a form carries is passed on, so a stale
page is still refused (409) after the question."""
from __future__ import annotations

from flask import render_template, request


def is_confirmed() -> bool:
    return request.form.get("confirmed") == "1"


def ask(question: str, detail: str, back: str):
    """The page that asks; its button posts the same address again, confirmed."""
    return render_template("confirm_delete.html", question=question, detail=detail, back=back,
                           action=request.path, revision=request.form.get("revision", ""))
