from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from complaints.services.retention import complaints_deidentify


class Command(BaseCommand):
    help = (
        "De-identify complaints that ended (closed, withdrawn, referred or informally resolved) more than "
        "COMPLAINTS_RETENTION_YEARS ago: contact details, witnesses, narrative, messages and evidence files "
        "are removed; category, district, dates and findings are kept. --dry-run only reports what it would do."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count what would change and change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = complaints_deidentify(dry_run=options["dry_run"])
        years = settings.COMPLAINTS_RETENTION_YEARS
        self.stdout.write(f"{report.summary()} (retention: {years} years after a complaint ended)")
