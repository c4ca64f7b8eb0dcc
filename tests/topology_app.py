"""The Celery entry of the topology test (``celery -A tests.topology_app worker|beat``): the
product's ``worker`` module on a clock moved by ``TOPOLOGY_CLOCK_OFFSET`` seconds (the same
offset in every process, so they agree on the time), with the daily and weekly ticks of the
beat schedule firing every few seconds instead of once a day."""

from __future__ import annotations

import os
import time

import time_machine

time_machine.travel(time.time() + float(os.environ["TOPOLOGY_CLOCK_OFFSET"]), tick=True).start()

from worker import celery, flask_app  # noqa: E402 — after the clock is set
from worker.schedule import BEAT_SCHEDULE  # noqa: E402

TICK_SECONDS = float(os.environ.get("TOPOLOGY_TICK_SECONDS", "3"))
celery.conf.beat_schedule = {
    **BEAT_SCHEDULE,
    "heartbeat": {**BEAT_SCHEDULE["heartbeat"], "schedule": TICK_SECONDS},
    "reminders-daily": {**BEAT_SCHEDULE["reminders-daily"], "schedule": TICK_SECONDS},
    "reminders-weekly": {**BEAT_SCHEDULE["reminders-weekly"], "schedule": TICK_SECONDS},
    "reminders-scan": {**BEAT_SCHEDULE["reminders-scan"], "schedule": TICK_SECONDS},
}

__all__ = ["celery", "flask_app"]
