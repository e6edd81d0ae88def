"""The bench's settings with the bare view (bench/events_settings.py), minus the complaint forms'
rate limits (the load comes from one address, and it measures the pages, not allauth refusing
them), and with plain static storage: the benchmark requests no static file, and skipping
collectstatic (20 MB of USWDS) keeps `--smoke` short."""

from bench.events_settings import *  # noqa: F403
from bench.events_settings import ACCOUNT_RATE_LIMITS, STORAGES

ACCOUNT_RATE_LIMITS = {
    action: rates for action, rates in ACCOUNT_RATE_LIMITS.items() if not action.startswith("complaints_")
}
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
