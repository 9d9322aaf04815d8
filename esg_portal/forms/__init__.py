"""WTForms classes for the HTML pages, one module per domain, and the one way a page puts a service's
refusal on its form.

Every form of the portal is a ``PortalForm``: whatever its own validators, each text field
refuses control characters and lone surrogates (``validation.text_problem``), a text area
allowing tabs and line breaks, a one-line field not.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, FieldList, FormField, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..validation import text_problem


def options(pairs: Iterable[tuple[Any, Any]], *, empty: Any = None) -> list[SelectChoice]:
    """The choices of a select or radio field from (value, label) pairs, with an empty first choice
    labelled ``empty`` when one is given."""
    head = [SelectChoice("", empty)] if empty is not None else []
    return [*head, *(SelectChoice(value, label) for value, label in pairs)]


def _text_fields(fields: Iterable[Field]) -> Iterator[Field]:
    """The text inputs among ``fields``, those of sub-forms and repeated rows included."""
    for field in fields:
        if isinstance(field, FormField):
            yield from _text_fields(field.form)
        elif isinstance(field, FieldList):
            yield from _text_fields(field.entries)
        elif isinstance(field, StringField) and not isinstance(field, (PasswordField, HiddenField)):
            # a password is only compared (any character may be in it); a hidden field shows no error
            yield field


class PortalForm(FlaskForm):
    """The base of the portal's forms: the text check on every text input, after the form's own validators."""

    def validate(self, extra_validators: Mapping[str, Any] | None = None) -> bool:
        valid = super().validate(extra_validators)
        for field in _text_fields(self._fields.values()):
            data = field.data
            problem = text_problem(data, str(field.label.text), multiline=isinstance(field, TextAreaField)) \
                if isinstance(data, str) else None
            if problem:
                field.errors = [*field.errors, problem]
                valid = False
        return valid


def form_status(form: Any) -> int:
    """The status of a form page shown again: 409 after a stale write, 422 with errors, else 200."""
    if getattr(form, "conflict", False):
        return 409
    return 422 if form.errors or getattr(form, "form_errors", None) else 200


def place_row_errors(form: Any, errors: Iterable[Any], columns: Iterable[str], *, fallback: Any = None) -> None:
    """Show the RowErrors of a one-row form next to their fields, in the words of the form.

    The row rules are written for files ("“project” must be …", «project» in ky/ru): on a form, the quoted
    column name becomes the field's label, because a person filling a form never saw the column. Errors
    without a field go to ``fallback`` (a field) or to the form's own errors.
    """
    known = [column for column in columns if column in form._fields]
    labels = {column: str(form._fields[column].label.text) for column in known}
    quoted = re.compile("([“«\"])(" + "|".join(re.escape(c) for c in sorted(known, key=len, reverse=True))
                        + ")([”»\"])") if known else None

    def worded(message: str) -> str:
        return quoted.sub(lambda m: f"{m.group(1)}{labels[m.group(2)]}{m.group(3)}", message) if quoted else message

    for error in errors:
        message = worded(error.message)
        field = form._fields.get(error.column or "") if error.column in known else fallback
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            form.form_errors = [*form.form_errors, message]


def add_service_errors(form: Any, errors: Mapping[str, Iterable[str]], *, skip: Iterable[str] = ()) -> None:
    """Attach a service's ``{field: [messages]}`` to the form: each next to its input, the rest on top."""
    skipped = set(skip)
    for name, messages in errors.items():
        field = form._fields.get(name) if name not in skipped else None
        if field is not None:
            field.errors = [*(field.errors or []), *messages]
        else:
            form.form_errors = [*form.form_errors, *messages]


def attempt(form: Any, action: Callable[[], Any]) -> Any:
    """Run one page action and commit; on a rule failure roll back, put its messages on the form, return None.

    A form made from an older revision of its document (``StaleDocument``) keeps its input, says
    so on top and marks ``form.conflict``: the view answers 409.
    """
    from ..errors import ValidationError
    from ..extensions import db
    from ..lifecycle import StaleDocument
    try:
        result = action()
    except ValidationError as error:
        db.session.rollback()
        add_service_errors(form, error.errors)
        return None
    except StaleDocument as error:
        db.session.rollback()
        form.form_errors = [*form.form_errors, error.message]
        form.conflict = True
        return None
    db.session.commit()
    return result
