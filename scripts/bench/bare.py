"""The floor of `make bench`: Django answering "ok" with no middleware, no apps, no database.

Settings and URLs in one module; scripts/bench.py serves it with
``DJANGO_SETTINGS_MODULE=bare`` and this folder on PYTHONPATH, through the same gunicorn
settings as the app, and reports every page as a share of its requests per second.
"""

from __future__ import annotations

import os

from django.http import HttpRequest, HttpResponse
from django.urls import path

SECRET_KEY = "bench-bare-view-not-a-secret"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict[str, dict[str, str]] = {}
ROOT_URLCONF = __name__
USE_TZ = True


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [path("", ok)]
