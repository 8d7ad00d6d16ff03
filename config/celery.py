"""The Celery app. Every setting, the beat schedule included, is a ``CELERY_*`` in settings.py.

Run ONE beat process (``celery -A config beat``) next to the workers
(``celery -A config worker``). Two beats would only sweep twice (the sweep is
idempotent), but one is the design; see docs/triggers.md.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("firstvalue")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
