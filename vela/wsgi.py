"""WSGI entry point: `gunicorn vela.wsgi:application`, and what Zappa's handler wraps."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vela.settings")

application = get_wsgi_application()
