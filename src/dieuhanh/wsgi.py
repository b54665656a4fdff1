"""WSGI entry point for production servers (gunicorn dieuhanh.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dieuhanh.settings")
application = get_wsgi_application()
# What is loaded by now (Django, the apps, their models) lives as long as the process.
# Out of the cycle collector's sight, a full collection no longer walks all of it: one such pause
# cost a national ranking of 3,321 communes about 60 ms. Here, where a process starts serving
# (gunicorn, and runserver, which loads this module too), not in an app's ready(), which every
# command and test run also passes through.
gc.freeze()
