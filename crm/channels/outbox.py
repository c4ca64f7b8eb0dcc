"""The channel outbox's claims: the shared protocol of ``crm.core.outbox``."""

from __future__ import annotations

from datetime import timedelta

from crm.channels.models import OPEN_STATUSES, ChannelMessage
from crm.core.outbox import Outbox, Outcome

__all__ = ["OUTBOX", "Outcome", "claim", "finish", "lease", "not_claimed"]

LEASE = timedelta(minutes=2)  # longer than two HTTP calls with their 15 s timeouts

OUTBOX = Outbox(ChannelMessage, OPEN_STATUSES, "CHANNEL_LEASE_SECONDS", LEASE)
lease = OUTBOX.lease
claim = OUTBOX.claim
finish = OUTBOX.finish
not_claimed = OUTBOX.not_claimed
