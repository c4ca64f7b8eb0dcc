"""Build MIME messages and deliver them: SMTP (STARTTLS or SSL) or the outbox folder.

With MAIL_SERVER empty (the embedded default) messages are written as .eml files to
MAIL_OUTBOX_DIR; the file name is fixed per outbox row, so writing it again replaces it.
SMTP errors are sorted into transient (4xx, timeouts, dropped connections: retried) and
permanent (5xx: recorded, not retried).
"""

from __future__ import annotations

import os
import re
import smtplib
import socket
import ssl
import tempfile
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, getaddresses
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

from crm.reminders.recipients import clean_display_name

SMTP_TIMEOUT = 30  # seconds for every socket operation


class TransientMailError(Exception):
    """Try again later: a 4xx reply, a timeout or a dropped connection."""


class PermanentMailError(Exception):
    """Do not retry: a 5xx reply or a refused recipient."""


def sender() -> Address:
    """MAIL_DEFAULT_SENDER as an Address (its display name may be Chinese)."""
    configured = current_app.config.get("MAIL_DEFAULT_SENDER") or "crm@localhost"
    name, addr = getaddresses([configured])[0]
    return Address(display_name=clean_display_name(name), addr_spec=addr or "crm@localhost")


def build_message(
    *,
    to_name: str,
    to_address: str,
    subject: str,
    text: str,
    html: str,
    message_id: str,
    sent_at: Any,
) -> EmailMessage:
    """A multipart/alternative message; non-ASCII headers are RFC 2047 encoded on output."""
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = re.sub(r"[\r\n]+", " ", subject)
    msg["From"] = sender()
    msg["To"] = Address(display_name=clean_display_name(to_name), addr_spec=to_address)
    msg["Date"] = format_datetime(sent_at)
    msg["Message-ID"] = message_id
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


def outbox_dir() -> Path:
    return Path(current_app.config["MAIL_OUTBOX_DIR"])


def write_outbox_file(msg: EmailMessage, filename: str) -> str:
    """Write the message atomically to the outbox folder; returns the file name."""
    folder = outbox_dir()
    folder.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".eml")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(msg.as_bytes())
        os.replace(temp, folder / filename)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return filename


def _ehlo_name() -> str:
    """The name we greet the server with: BASE_URL's host (smtplib's default asks DNS for this
    machine's FQDN on every connection, which can take seconds)."""
    return urlsplit(current_app.config.get("BASE_URL") or "").hostname or "localhost"


def _connect() -> smtplib.SMTP:
    config = current_app.config
    host, port = config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25)
    local = _ehlo_name()
    if config.get("MAIL_USE_SSL"):
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host,
            port,
            local_hostname=local,
            timeout=SMTP_TIMEOUT,
            context=ssl.create_default_context(),
        )
    else:
        client = smtplib.SMTP(host, port, local_hostname=local, timeout=SMTP_TIMEOUT)
        if config.get("MAIL_USE_TLS"):
            client.starttls(context=ssl.create_default_context())
    if config.get("MAIL_USERNAME"):
        client.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return client


def _classify(exc: Exception) -> Exception:
    """The exception as TransientMailError or PermanentMailError."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        if codes and all(400 <= code < 500 for code in codes):
            return TransientMailError(f"recipient refused: {codes}")
        return PermanentMailError(f"recipient refused: {codes}")
    if isinstance(exc, smtplib.SMTPResponseException):
        detail = exc.smtp_error
        if isinstance(detail, bytes):
            detail = detail.decode(errors="replace")
        text = f"{exc.smtp_code} {detail}"[:300]
        if 400 <= exc.smtp_code < 500 or exc.smtp_code == -1:
            return TransientMailError(text)
        return PermanentMailError(text)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return PermanentMailError(f"not supported: {exc}")
    if isinstance(
        exc, smtplib.SMTPServerDisconnected | socket.timeout | TimeoutError | ConnectionError
    ):
        return TransientMailError(f"{exc.__class__.__name__}: {exc}"[:300])
    if isinstance(exc, OSError | smtplib.SMTPException):
        return TransientMailError(f"{exc.__class__.__name__}: {exc}"[:300])
    return exc


def send_smtp(msg: EmailMessage, to_address: str) -> None:
    """Send one message over SMTP; raises TransientMailError or PermanentMailError."""
    try:
        client = _connect()
    except Exception as exc:
        raise _classify(exc) from exc
    try:
        client.send_message(msg, from_addr=sender().addr_spec, to_addrs=[to_address])
    except Exception as exc:
        raise _classify(exc) from exc
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()


def deliver(msg: EmailMessage, to_address: str, filename: str) -> str | None:
    """Send by SMTP when MAIL_SERVER is set, else write the outbox file (its name returned)."""
    if current_app.config.get("MAIL_SERVER"):
        send_smtp(msg, to_address)
        return None
    return write_outbox_file(msg, filename)
