"""The real settings, plus bench/templates (a feature-style email for the outbox benchmark)."""

from pathlib import Path

from portal.settings import *  # noqa: F403
from portal.settings import TEMPLATES

TEMPLATES = [{**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], Path(__file__).resolve().parent / "templates"]}]
