"""gunicorn settings for FirstValue: `gunicorn -c deploy/gunicorn.conf.py config.wsgi`.

Every value can be overridden from the environment (WEB_CONCURRENCY, GUNICORN_BIND, …).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# 2–4 sync workers per instance; scale out with more instances behind the load balancer
# rather than more workers per box (each worker holds its own PostgreSQL connection).
workers = int(os.environ.get("WEB_CONCURRENCY", min(4, max(2, multiprocessing.cpu_count()))))
worker_class = "sync"
# Requests are short (pages, JSON); a CSV enrollment or an export is the slowest thing we serve.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never becomes an outage.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Behind a load balancer that sets X-Forwarded-For/-Proto; Django trusts X-Forwarded-Proto
# (SECURE_PROXY_SSL_HEADER) and django-axes the X-Forwarded-For hop count (PROXY_COUNT).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Don't buffer request bodies on disk in /tmp, which may be a slow or tiny filesystem.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
