"""Send one outbox row, exactly once.

1. Claim: one atomic UPDATE moves the row to 'sending' with a lease, only when it is pending,
   waiting for a retry whose time has come, or 'sending' under a lease that ran out (a worker
   died). It is committed before anything talks to SMTP. A second task for the same row (a
   duplicate beat tick, a redelivered message, a rerun) finds nothing to claim and stops.
2. Compose and send. Transient SMTP errors go back to 'retry' with an exponential, jittered
   delay (the "not before" time is kept in lease_until) until MAX_ATTEMPTS; permanent ones
   and exhausted attempts end in 'failed'. Bad recipients and empty digests end in 'skipped'.
3. Finish only while still holding the claim (claim_token).

Residual window, chosen and written down: if a worker dies after the SMTP server accepted the
message but before 'sent' is committed, the lease runs out and the message is sent again
(at-least-once for that crash only). The Message-ID is the same both times.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from crm.auth.models import User
from crm.core.outbox import Outbox, Outcome, backoff
from crm.core.timeutil import utcnow
from crm.extensions import db
from crm.reminders import mailer
from crm.reminders.models import OPEN_STATUSES, ReminderLog
from crm.reminders.periods import local_now
from crm.reminders.recipients import clean_address, recipient_problem
from crm.reminders.rendering import render_digest

log = logging.getLogger("crm.reminders")

LEASE = timedelta(minutes=5)  # default; longer than any SMTP exchange (timeouts are 30 s)
MAX_ATTEMPTS = 5


OUTBOX = Outbox(ReminderLog, OPEN_STATUSES, "REMINDER_LEASE_SECONDS", LEASE)
lease = OUTBOX.lease  # REMINDER_LEASE_SECONDS: must exceed any SMTP exchange
claim = OUTBOX.claim
finish = OUTBOX.finish
_not_claimed = OUTBOX.not_claimed


def message_id(row: ReminderLog) -> str:
    domain = mailer.sender().domain or "localhost"
    return f"<reminder-{row.id}.{row.kind}.{row.period_key}@{domain}>"


def eml_name(row: ReminderLog) -> str:
    return f"{row.id:07d}-{row.kind}-{row.period_key}.eml".replace(":", "")


def deliver(log_id: int, now: datetime | None = None) -> Outcome:
    """Claim, compose and send one outbox row (see the module docstring)."""
    now = now or utcnow()
    token = claim(log_id, now)
    if token is None:
        return _not_claimed(log_id, now)
    row = db.session.get(ReminderLog, log_id)
    user = db.session.get(User, row.recipient_id)
    if row.expires_at <= now:
        finish(log_id, token, status="expired", last_error="过期未发送")
        return Outcome("expired")
    if row.attempts > MAX_ATTEMPTS:  # claimed again and again: its senders keep dying
        log.error("reminder %s abandoned after %s claims", log_id, row.attempts)
        finish(log_id, token, status="failed", last_error=f"发送进程多次中断（{row.attempts} 次）")
        return Outcome("failed")
    problem = recipient_problem(user, row.kind)
    if problem:
        log.warning("skipped reminder %s for user %s: %s", log_id, row.recipient_id, problem)
        finish(log_id, token, status="skipped", last_error=problem)
        return Outcome("skipped")
    try:
        digest = render_digest(user, row.kind, row.period_date, shared=True)
    except Exception as exc:
        db.session.rollback()
        log.exception("composing reminder %s failed", log_id)
        finish(log_id, token, status="failed", last_error=f"生成失败：{exc.__class__.__name__}")
        return Outcome("failed")
    if digest is None:
        finish(log_id, token, status="skipped", last_error="没有需要提醒的事项")
        return Outcome("skipped")
    address = clean_address(user.email)
    msg = mailer.build_message(
        to_name=user.display_name,
        to_address=address,
        subject=digest.subject,
        text=digest.text,
        html=digest.html,
        message_id=message_id(row),
        sent_at=local_now(now),
    )
    try:
        eml = mailer.deliver(msg, address, eml_name(row))
    except mailer.TransientMailError as exc:
        return _transient(row, token, str(exc), now)
    except mailer.PermanentMailError as exc:
        log.warning("reminder %s failed permanently: %s", log_id, exc)
        finish(log_id, token, status="failed", last_error=str(exc)[:500], subject=digest.subject)
        return Outcome("failed")
    finish(
        log_id,
        token,
        status="sent",
        sent_at=now,
        subject=digest.subject[:300],
        address=address,
        message_id=msg["Message-ID"],
        eml_file=eml,
        last_error=None,
    )
    return Outcome("sent")


def _transient(row: ReminderLog, token: str, error: str, now: datetime) -> Outcome:
    attempts = row.attempts
    if attempts >= MAX_ATTEMPTS:
        log.warning("reminder %s failed after %s attempts: %s", row.id, attempts, error)
        finish(row.id, token, status="failed", last_error=f"{error}（已重试 {attempts} 次）"[:500])
        return Outcome("failed")
    delay = backoff(attempts)
    log.info("reminder %s: transient error (%s), retry in %.0f s", row.id, error, delay)
    retry_at = now + timedelta(seconds=delay)
    finish(
        row.id,
        token,
        status="retry",
        lease_until=retry_at,
        queued_at=retry_at,  # the retry task is due then; a scan re-queues it if it gets lost
        last_error=error[:500],
    )
    return Outcome("retry", later=delay)
