"""The Celery entry point: ``celery -A worker worker`` and ``celery -A worker beat``."""

from app import create_app
from worker.schedule import BEAT_SCHEDULE

flask_app = create_app()
celery = flask_app.extensions["celery"]
celery.conf.beat_schedule = BEAT_SCHEDULE
