"""Settings for the load bench only: the product's settings, with the floors' URLconf.

Never used by the product; `bench/load.py` (gunicorn) and `bench/run.py` run with
DJANGO_SETTINGS_MODULE=bench.settings.
"""

import tempfile
from pathlib import Path

from config.settings import *  # noqa: F403  (the product's settings, unchanged but these)

ROOT_URLCONF = "bench.urls"
# collectstatic outside the checkout, so a bench run never leaves a half-written
# staticfiles/ for the test suite to find.
STATIC_ROOT = Path(tempfile.gettempdir()) / "firstvalue-bench-static"
