"""Settings for the load bench only: the product's settings, with the floors' URLconf.

Never used by the product; `bench/load.py` starts gunicorn with
DJANGO_SETTINGS_MODULE=bench.settings.
"""

from config.settings import *  # noqa: F403  (the product's settings, unchanged but one)

ROOT_URLCONF = "bench.urls"
