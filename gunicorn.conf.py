"""gunicorn's production defaults (read from the working directory; every value can be set
in the environment). Measured on a 2-core machine with ``bench/load.py``; see README.

- gthread workers: one process per core plus one (``WEB_WORKERS``, default cores + 1), each
  with ``WEB_THREADS`` threads (default 8). Requests are mostly Python CPU with short database
  waits, so more processes than cores buys little, while threads let a process overlap those
  waits and keep connections (keep-alive) without a process per client.
- Load shedding (``crm/core/overload.py``): at most ``OVERLOAD_MAX_IN_FLIGHT`` requests run in
  a process at once (default 3); the spare threads (``OVERLOAD_MAX_WAITING``, default the
  other 5) hold waiting requests for at most ``OVERLOAD_MAX_WAIT_MS`` and everything beyond
  gets an immediate 503 with Retry-After, so what is served keeps a bounded latency instead
  of queueing for seconds.
"""

import multiprocessing
import os

bind = os.environ.get(
    "WEB_BIND", f"{os.environ.get('WEB_HOST', '127.0.0.1')}:{os.environ.get('WEB_PORT', '5000')}"
)
worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("WEB_THREADS", "8"))
keepalive = 5
timeout = 60
graceful_timeout = 20
os.environ.setdefault("OVERLOAD_MAX_IN_FLIGHT", "3")  # read by config.py in each worker
# Every thread not running a request is a place to wait for a slot (at most 200 ms): a burst
# of arrivals waits instead of being shed while the process is still within its bound.
os.environ.setdefault(
    "OVERLOAD_MAX_WAITING", str(max(1, threads - int(os.environ["OVERLOAD_MAX_IN_FLIGHT"])))
)
# The longest request line gunicorn accepts (its maximum): the app answers longer URLs itself
# (414, JSON on the API) up to MAX_URL_LENGTH, instead of gunicorn's plain-text 400.
limit_request_line = 8190
