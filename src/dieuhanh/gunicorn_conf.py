"""gunicorn's settings for production: ``gunicorn -c python:dieuhanh.gunicorn_conf dieuhanh.wsgi``.

Every value can be changed by an environment variable (docs/deployment.md). Workers are recycled
after a number of requests (with jitter, so that they do not all restart at once): a worker that
answered a large question keeps its memory until it exits, and this bounds how long it holds it.
"""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


# Where to listen: behind a reverse proxy on the same machine, loopback.
bind = os.environ.get("DIEUHANH_BIND") or "127.0.0.1:8000"
# Processes × threads: threads serve the many short page and API requests while one waits on the
# database; processes use the cores. Default: two processes a core, plus one.
workers = _int("DIEUHANH_WORKERS", multiprocessing.cpu_count() * 2 + 1)
worker_class = "gthread"
threads = _int("DIEUHANH_THREADS", 4)

# Recycling: a worker exits after about this many requests and a fresh one takes its place.
max_requests = _int("DIEUHANH_MAX_REQUESTS", 1000)
max_requests_jitter = _int("DIEUHANH_MAX_REQUESTS_JITTER", 100)

# A request still running after `timeout` seconds has its worker killed and replaced (the largest
# national analytics answers take a few seconds); on a restart, running requests get
# `graceful_timeout` seconds to finish.
timeout = _int("DIEUHANH_TIMEOUT", 60)
graceful_timeout = _int("DIEUHANH_GRACEFUL_TIMEOUT", 30)
# Kept-alive connections from the proxy.
keepalive = _int("DIEUHANH_KEEPALIVE", 5)

# The request line (method, path and query string) and headers: an analytics question names many
# indicators and units in its query string, so the line may be up to 8 KiB (gunicorn's maximum);
# a longer one is refused with 414 before Django sees it.
limit_request_line = _int("DIEUHANH_LIMIT_REQUEST_LINE", 8190)
limit_request_fields = _int("DIEUHANH_LIMIT_REQUEST_FIELDS", 100)
limit_request_field_size = _int("DIEUHANH_LIMIT_REQUEST_FIELD_SIZE", 8190)

# Which peers may tell gunicorn the scheme (X-Forwarded-Proto): the proxy on the same machine.
forwarded_allow_ips = os.environ.get("DIEUHANH_FORWARDED_ALLOW_IPS") or "127.0.0.1,::1"

accesslog = os.environ.get("DIEUHANH_ACCESS_LOG") or None
errorlog = os.environ.get("DIEUHANH_ERROR_LOG") or "-"
loglevel = os.environ.get("DIEUHANH_GUNICORN_LOG_LEVEL") or "info"
