"""WTForms classes for the HTML pages, one module per domain, and the one way a page puts a service's
refusal on its form."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any


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
    """Run one page action and commit; on a rule failure roll back, put its messages on the form, return None."""
    from ..errors import ValidationError
    from ..extensions import db
    try:
        result = action()
    except ValidationError as error:
        db.session.rollback()
        add_service_errors(form, error.errors)
        return None
    db.session.commit()
    return result
