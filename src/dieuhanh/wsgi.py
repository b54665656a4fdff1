"""WSGI entry point for production servers (gunicorn dieuhanh.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dieuhanh.settings")
application = get_wsgi_application()
# The application is loaded: keep it out of the cycle collector's full collections (see
# AnalyticsConfig.ready).
gc.freeze()
