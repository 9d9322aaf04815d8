"""Request bodies of the machine API: the raw body a view hands to the API services, and
the refusals of bodies that cannot be read (415 wrong type, 400 not JSON).

Views never parse: they wrap the request's content type and bytes in a ``Body``, and the
service reads it after its permission checks, so that a caller without the right gets 403
whatever they sent.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Request
from flask_babel import gettext as _

from ..errors import PortalError, ValidationError

CSV_TYPE = "text/csv"
JSON_TYPE = "application/json"


class UnsupportedContentType(PortalError):
    """The body is in a format this endpoint does not read."""

    status = 415
    code = "unsupported_media_type"


class BadRequest(PortalError):
    """The body cannot be read at all (not JSON, not an object)."""

    status = 400
    code = "bad_request"


@dataclass(frozen=True)
class Body:
    """A request body: its media type (without parameters such as charset) and its bytes."""

    mimetype: str
    data: bytes

    @classmethod
    def of(cls, request: Request) -> Body:
        """The body of ``request``; over MAX_CONTENT_LENGTH this raises 413 (werkzeug)."""
        return cls((request.mimetype or "").lower(), request.get_data())

    @property
    def is_json(self) -> bool:
        return self.mimetype == JSON_TYPE or (self.mimetype.startswith("application/") and
                                              self.mimetype.endswith("+json"))

    @property
    def is_csv(self) -> bool:
        return self.mimetype == CSV_TYPE

    @property
    def is_empty(self) -> bool:
        return not self.data.strip()

    def json(self) -> Any:
        """The decoded JSON value; 415 unless the body is declared as JSON, 400 when it is not valid JSON."""
        if not self.is_json:
            raise UnsupportedContentType(_("Send the body as JSON, with the header “Content-Type: application/json”."))
        try:
            return json.loads(self.data.decode("utf-8"))
        except UnicodeDecodeError:
            raise BadRequest(_("The body is not valid JSON: it must be UTF-8 text.")) from None
        except json.JSONDecodeError as error:
            raise BadRequest(_("The body is not valid JSON: the error is at line %(line)d, column %(column)d.",
                               line=error.lineno, column=error.colno)) from None

    def fields(self, names: tuple[str, ...]) -> dict[str, str]:
        """A JSON object whose keys are among ``names`` and whose values are text.

        An empty body counts as ``{}`` and a missing or null field as "", so that the service
        says which field is missing (422) in the same words as the web form. An unknown key
        or a value that is not text is refused (422), never ignored or guessed at.
        """
        value = {} if self.is_empty else self.json()
        if not isinstance(value, dict):
            raise BadRequest(_("The body must be a JSON object with the fields %(fields)s.",
                               fields=", ".join(names)))
        errors: dict[str, list[str]] = {}
        for key in value:
            if key not in names:
                errors[str(key)[:100]] = [_("“%(field)s” is not a field of this request: remove it. The fields are: "
                                            "%(fields)s.", field=str(key)[:100], fields=", ".join(names))]
        result: dict[str, str] = {}
        for name in names:
            item = value.get(name)
            if item is None:
                result[name] = ""
            elif isinstance(item, str):
                result[name] = item
            else:
                errors[name] = [_("“%(field)s” must be text (a JSON string in quotes).", field=name)]
        if errors:
            raise ValidationError(errors)
        return result
