"""The bench's settings, plus a bare Django view (the baseline of bench/events_load.py)."""

from bench.settings import *  # noqa: F403

ROOT_URLCONF = "bench.events_urls"
