"""The request boundary: what a request may carry before any view or query sees it.

- Integers: ids in paths go through the ``id`` URL converter (ASCII digits within an INTEGER
  column, else the route does not match: 404); integers in bodies and query strings go through
  :func:`parse_int` / :func:`parse_id`, :class:`BoundedInt` (marshmallow) or :func:`coerce_id`
  (WTForms selects). PostgreSQL's INTEGER ends at 2³¹−1, so that bound holds on SQLite too.
- Control characters: PostgreSQL refuses NUL in text, and no field of this product wants C0
  controls besides tab and line breaks. Query strings and forms are cleaned as they are parsed
  (:class:`BoundaryRequest`), so a form keeps what was typed; a JSON body (or an API query
  string) carrying them is refused with 422 naming the field; a path or header: 404 / 400.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask, Request, abort, current_app, request
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import BaseConverter, ValidationError

MAX_ID = 2_147_483_647  # PostgreSQL INTEGER; larger cannot be a row of ours
MAX_INT = MAX_ID
# C0 controls but tab, LF and CR; DEL; and lone surrogates (not encodable as UTF-8)
CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_ASCII_INT_RE = re.compile(r"-?[0-9]{1,10}")
BAD_TEXT = _l("不能包含控制字符")
_STRICT_PREFIXES: tuple[str, ...] = ("\x00",)  # set by init_app; a path never starts so


def clean_text(value: str) -> str:
    """``value`` without control characters (tab and line breaks stay)."""
    return CONTROL_RE.sub("", value)


def parse_int(value: Any, *, minimum: int = 0, maximum: int = MAX_INT) -> int | None:
    """An integer written in ASCII digits within [minimum, maximum], else None.

    ``'²'.isdigit()`` is true and ``int('١')`` is 1: neither is an integer a user typed here.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        if not _ASCII_INT_RE.fullmatch(text):
            return None
        number = int(text)
    return number if minimum <= number <= maximum else None


def parse_id(value: Any) -> int | None:
    """A row id (1 … 2³¹−1) in ASCII digits, else None."""
    return parse_int(value, minimum=1, maximum=MAX_ID)


def coerce_id(value: Any) -> int | None:
    """WTForms ``coerce`` for id selects: '' is None, a bad id a form error (ValueError)."""
    if value is None or value == "":
        return None
    number = parse_id(value)
    if number is None:
        raise ValueError(str(_l("编号无效")))
    return number


def int_arg(name: str, default: int | None = None, **bounds: int) -> int | None:
    """A query-string integer (ASCII digits, bounded), else ``default``."""
    number = parse_int(request.args.get(name), **bounds)
    return default if number is None else number


def _regex_up_to(limit: int) -> str:
    """A regular expression matching exactly the decimal numbers 1 … ``limit`` (no leading 0):
    a path beyond it matches no route at all (404, whatever the method)."""
    digits = str(limit)
    parts = [rf"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for i, top in enumerate(digits):
        low = "1" if i == 0 else "0"
        if int(top) > int(low):
            rest = len(digits) - i - 1
            parts.append(
                f"{digits[:i]}[{low}-{int(top) - 1}]" + (f"[0-9]{{{rest}}}" if rest else "")
            )
    parts.append(digits)
    return "(?:" + "|".join(parts) + ")"


class IdConverter(BaseConverter):
    """``<id:name>``: a row id in ASCII digits within an INTEGER column, else no match (404)."""

    regex = _regex_up_to(MAX_ID)
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:
        return str(int(value))


class BoundedInt(fields.Integer):
    """A marshmallow integer in ASCII digits within a column's range (documented as such)."""

    def __init__(self, *, minimum: int = 0, maximum: int = MAX_INT, **kwargs: Any) -> None:
        rules = kwargs.pop("validate", None)
        rules = [rules] if callable(rules) else list(rules or [])
        rules.append(validate.Range(min=minimum, max=maximum, error="应在 {min} 到 {max} 之间"))
        super().__init__(validate=rules, **kwargs)

    def _validated(self, value: Any) -> int:
        if isinstance(value, str) and not _ASCII_INT_RE.fullmatch(value.strip()):
            raise self.make_error("invalid")
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid")
        return super()._validated(value)


def Id(**kwargs: Any) -> BoundedInt:
    """A marshmallow field for a row id (1 … 2³¹−1)."""
    return BoundedInt(minimum=1, maximum=MAX_ID, **kwargs)


class CleanMultiDict(ImmutableMultiDict):
    """Query-string and form values (and keys) without control characters."""

    def __init__(self, mapping: Any = None) -> None:
        if mapping is None:
            super().__init__()
            return
        pairs = mapping.items(multi=True) if hasattr(mapping, "items") else mapping
        super().__init__(
            [
                (
                    clean_text(k) if isinstance(k, str) else k,
                    clean_text(v) if isinstance(v, str) else v,
                )
                for k, v in pairs
            ]
        )


class BoundaryRequest(Request):
    """Flask's request, parsing query strings and forms into :class:`CleanMultiDict`."""

    parameter_storage_class = CleanMultiDict


def _bad_strings(value: Any, path: str = "") -> list[str]:
    if isinstance(value, str):
        return [path or "_schema"] if CONTROL_RE.search(value) else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            found += [where] if CONTROL_RE.search(str(key)) else []
            found += _bad_strings(item, where)
        return found
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _bad_strings(item, f"{path}.{i}")]
    return []


def _check_request() -> None:
    limit = current_app.config.get("MAX_URL_LENGTH")
    if limit and len(request.full_path) > limit:
        abort(414)  # the app's own answer (JSON on the API), below the server's request-line cap
    for name, value in request.headers.items():
        if "\x00" in value or "\x00" in name:
            abort(400)
    for value in (request.view_args or {}).values():
        if isinstance(value, str) and CONTROL_RE.search(value):
            abort(404)
    if request.path.startswith(_STRICT_PREFIXES):  # an API client is told, not corrected
        raw = parse_qsl(request.query_string.decode("utf-8", "replace"), keep_blank_values=True)
        bad = sorted({key for key, value in raw if CONTROL_RE.search(key + value)})
        if bad:
            abort(422, description={"query": {key: [str(BAD_TEXT)] for key in bad[:20]}})
    if request.is_json and request.content_length != 0:
        try:
            body = json.loads(request.get_data(cache=True))
        except ValueError:
            return  # malformed JSON: the parser of the view answers it
        bad = _bad_strings(body)
        if bad:
            abort(422, description={"json": {where: [str(BAD_TEXT)] for where in bad[:20]}})


def init_app(app: Flask, strict_prefixes: tuple[str, ...] = ()) -> None:
    """Install the boundary on ``app``: the ``id`` converter, the request class, the checks.
    Under ``strict_prefixes`` (an API) control characters in query strings are refused too."""
    global _STRICT_PREFIXES
    app.config.setdefault("MAX_URL_LENGTH", 8000)  # gunicorn.conf.py lets 8190-byte lines in
    _STRICT_PREFIXES = strict_prefixes or ("\x00",)
    app.request_class = BoundaryRequest
    app.url_map.converters["id"] = IdConverter
    app.before_request_funcs.setdefault(None, []).insert(0, _check_request)
