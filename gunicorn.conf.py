"""gunicorn's production defaults (read from the working directory; every value can be set
in the environment). Measured on a 2-core machine with ``bench/load.py``; see README.

- gthread workers: one process per core plus one (``WEB_WORKERS``, default cores + 1), each
  with ``WEB_THREADS`` threads (default 8). Requests are mostly Python CPU with short database
  waits, so more processes than cores buys little, while threads let a process overlap those
  waits and keep connections (keep-alive) without a process per client.
- Load shedding (``crm/core/overload.py``): at most ``OVERLOAD_MAX_IN_FLIGHT`` requests run in
  a process at once (default 3); as many more (``OVERLOAD_MAX_WAITING``) wait for at most
  ``OVERLOAD_MAX_WAIT_MS`` and everything beyond gets an immediate 503 with Retry-After from
  a spare thread, so what is served keeps a bounded latency instead of queueing for seconds.
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
# As many may wait for a slot (at most 200 ms); the other threads stay free to answer 503 at
# once. Letting every spare thread wait sheds fewer requests in bursts below capacity, but
# beyond it arrivals then queue behind busy threads: served p95 1.3 s instead of 0.5 s
# (bench/README.md).
os.environ.setdefault("OVERLOAD_MAX_WAITING", os.environ["OVERLOAD_MAX_IN_FLIGHT"])
# The longest request line gunicorn accepts (its maximum): the app answers longer URLs itself
# (414, JSON on the API) up to MAX_URL_LENGTH, instead of gunicorn's plain-text 400.
limit_request_line = 8190
