"""One way to send a file people download: RFC 6266 names, one charset, no sniffing.

``Content-Disposition`` carries the file's real (often Chinese) name in ``filename*``
(RFC 5987 UTF-8, percent-encoded) and a meaningful ASCII name in ``filename`` for clients that
ignore ``filename*`` — ``targets-gxq-20261203.csv``, never ``.csv`` or ``-.xlsx`` (what folding
the Chinese name to ASCII leaves).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from typing import IO, Any
from urllib.parse import quote

from flask import Response, send_file, stream_with_context
from pypinyin import lazy_pinyin

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_HAS_WORD = re.compile(r"[A-Za-z0-9]")


def ascii_name(*parts: Any, ext: str) -> str:
    """An ASCII file name from its parts: ``ascii_name("targets", "gxq", day, ext="csv")``.
    Dates are written YYYYMMDD; empty parts are dropped; anything else non-ASCII goes."""
    words = []
    for part in parts:
        if isinstance(part, date):
            part = f"{part:%Y%m%d}"
        text = _UNSAFE.sub("-", str(part or "")).strip("-.")
        if text:
            words.append(text)
    return ("-".join(words) or "download") + "." + ext.lstrip(".")


def pinyin_slug(text: str) -> str:
    """Chinese as its pinyin, for an ASCII file name: 有色金属 → youse-jinshu... (per character,
    joined with hyphens between words of the source text)."""
    return "".join(lazy_pinyin(text.replace(" ", "-"), errors="default"))


def ascii_fallback(filename: str, default_stem: str) -> str:
    """The ASCII form of a user's file name, or ``default_stem`` + its extension when nothing
    meaningful is left (``合同.pdf`` → ``attachment-12.pdf``)."""
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    folded = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    folded = _UNSAFE.sub("-", folded).strip("-.")
    ext = _UNSAFE.sub("", ext)[:10]
    if not _HAS_WORD.search(folded):
        folded = default_stem
    return f"{folded}.{ext}" if ext else folded


def content_disposition(filename: str, fallback: str, inline: bool = False) -> str:
    """``attachment; filename="fallback"; filename*=UTF-8''<filename>`` (RFC 6266)."""
    kind = "inline" if inline else "attachment"
    safe = fallback.replace("\\", "").replace('"', "")
    return f"{kind}; filename=\"{safe}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download(
    body: IO[bytes] | str | Iterable[str] | bytes,
    filename: str,
    fallback: str,
    mimetype: str,
    *,
    inline: bool = False,
    stream: bool = False,
    max_age: int | None = None,
) -> Response:
    """A download response: a file object or path (through ``send_file``), bytes, or text
    pieces streamed (``stream=True``). ``mimetype`` without a charset: text types get exactly
    one ``; charset=utf-8``."""
    base = mimetype.split(";")[0].strip()
    if stream:
        response = Response(stream_with_context(body), mimetype=base)  # type: ignore[arg-type]
    elif isinstance(body, bytes):
        response = Response(body, mimetype=base)
    else:
        response = send_file(
            body, mimetype=base, as_attachment=not inline, download_name=fallback, max_age=max_age
        )
    if base.startswith("text/") or base == "application/json":
        response.headers["Content-Type"] = f"{base}; charset=utf-8"
    response.headers["Content-Disposition"] = content_disposition(filename, fallback, inline)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
