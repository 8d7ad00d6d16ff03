"""gunicorn settings for FirstValue: `gunicorn -c deploy/gunicorn.conf.py config.wsgi`.

Every value can be overridden from the environment (WEB_CONCURRENCY, GUNICORN_BIND, …).
"""

import multiprocessing
import os

# Loopback by default: the app is reached through a proxy or load balancer on this host. A
# balancer on another host: GUNICORN_BIND=0.0.0.0:8000 and its addresses in FORWARDED_ALLOW_IPS
# and TRUSTED_PROXIES (docs/deployment.md, "Load balancer and health").
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
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
# The proxies whose X-Forwarded-* headers gunicorn believes (gunicorn's own default: loopback).
# Django reads X-Forwarded-For only from TRUSTED_PROXIES (config.auth.client_ip).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Don't buffer request bodies on disk in /tmp, which may be a slow or tiny filesystem.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
