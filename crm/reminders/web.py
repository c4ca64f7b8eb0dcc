"""Helpers shared by the reminder pages."""

from __future__ import annotations

from flask import make_response

EMAIL_FRAME_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox"
)


def email_frame(html: str):
    """An e-mail's HTML for a sandboxed same-origin frame: its inline styles apply, nothing
    else does (no scripts, forms or plug-ins). Application pages never allow inline styles."""
    response = make_response(html)
    response.headers["Content-Security-Policy"] = EMAIL_FRAME_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
