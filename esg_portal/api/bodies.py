"""Request bodies of the machine API: the raw body a view hands to the API services, and
the refusals of bodies that cannot be read (415 wrong type, 400 not JSON).

Views never parse: they wrap the request's content type and bytes in a ``Body``, and the
service reads it after its permission checks, so that a caller without the right gets 403
whatever they sent.

Limits of a JSON body (DESIGN rule 19), each refused with 400 before any service sees it: the
byte size is the app's MAX_CONTENT_LENGTH (413, werkzeug); nesting at most
``MAX_JSON_DEPTH`` levels (a body nested 10,000 deep used to exhaust the parser's recursion:
500); numbers only as JSON writes them (no NaN or Infinity) and integers of at most 4,300
digits, Python's own limit; no lone surrogate (``"\\ud800"``) in any key or string.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from flask import Request
from flask_babel import gettext as _

from ..errors import PortalError, ValidationError
from ..validation import surrogate_problem, text_problem, visible

#: the deepest nesting a body may have: a section is a list of objects holding lists of row
#: objects holding lists of codes (4 levels); more is not a body of this API
MAX_JSON_DEPTH = 16
#: fields of ``Body.fields`` that hold several lines (tabs and line breaks allowed)
MULTILINE_FIELDS = frozenset({"reason"})
#: fields whose value is only compared, never stored or shown: any character may be in a password
UNCHECKED_FIELDS = frozenset({"password"})

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
            value = json.loads(self.data.decode("utf-8"), parse_constant=_no_constant)
        except UnicodeDecodeError:
            raise BadRequest(_("The body is not valid JSON: it must be UTF-8 text.")) from None
        except json.JSONDecodeError as error:
            raise BadRequest(_("The body is not valid JSON: the error is at line %(line)d, column %(column)d.",
                               line=error.lineno, column=error.colno)) from None
        except RecursionError:
            raise _too_deep() from None
        except ValueError:
            # an integer of more than 4,300 digits (Python's limit), or NaN / Infinity
            raise BadRequest(_("The body holds a number that cannot be read: too many digits, or NaN or Infinity. "
                               "Send amounts as decimal strings, for example \"1234.50\".")) from None
        _check_tree(value, self.data)
        return value

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
                problem = None if name in UNCHECKED_FIELDS else text_problem(
                    item, name, multiline=name in MULTILINE_FIELDS)
                if problem:
                    errors[name] = [problem]
                result[name] = item
            else:
                errors[name] = [_("“%(field)s” must be text (a JSON string in quotes).", field=name)]
        if errors:
            raise ValidationError(errors)
        return result


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def _too_deep() -> BadRequest:
    return BadRequest(_("The body is nested more than %(max)d levels deep. Send the objects and lists the API "
                        "documentation describes.", max=MAX_JSON_DEPTH))


def _path(parts: tuple) -> str:
    return ".".join(str(part) for part in parts) or "body"


#: a JSON escape of a UTF-16 surrogate (\\uD800–\\uDFFF); raw UTF-8 bytes cannot hold one
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _check_tree(value: Any, data: bytes) -> None:
    """Refuse a decoded body nested too deep or holding a lone surrogate; iterative, so any body is safe.

    Control characters are left to the fields (``text_problem``), which know whether their text
    may hold line breaks and answer in the request's own error shape. Strings are looked at only
    when the body holds a surrogate escape at all, so a large body costs a walk of its containers.
    """
    containers: list[tuple[dict | list, int]] = [(value, 0)] if isinstance(value, (dict, list)) else []
    while containers:
        item, depth = containers.pop()
        if depth > MAX_JSON_DEPTH:
            raise _too_deep()
        for child in item.values() if isinstance(item, dict) else item:
            if isinstance(child, (dict, list)):
                containers.append((child, depth + 1))
    if not _SURROGATE_ESCAPE.search(data) or not _has_surrogate(value):
        return
    # there is one: walk again keeping the paths, to name it
    stack: list[tuple[Any, tuple]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            problem = surrogate_problem(item, _path(path))
            if problem:
                raise BadRequest(problem)
        elif isinstance(item, dict):
            for key, child in item.items():
                problem = surrogate_problem(key, _path((*path, visible(key))))
                if problem:
                    raise BadRequest(problem)
                stack.append((child, (*path, key)))
        elif isinstance(item, list):
            stack.extend((child, (*path, index)) for index, child in enumerate(item))


def _has_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if surrogate_problem(item, "") is not None:
                return True
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
