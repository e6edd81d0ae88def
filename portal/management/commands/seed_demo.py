from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from portal.demo import demo_seed


class Command(BaseCommand):
    help = (
        "Load demo data (languages, districts, officers, the privacy and accessibility pages, one "
        "account per role). Safe to run again: it only adds what is missing. Refuses with DEBUG off."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo refuses to run with DEBUG off: it creates accounts with known passwords.")
        report = demo_seed()

        made = ", ".join(f"{number} {label}" for label, number in report.created.items() if number)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({f'added {made}' if made else 'nothing new to add'})."))
        self.stdout.write("")
        self.stdout.write(f"Sign in at {settings.SITE_URL}{reverse('account_login')} with any of these accounts.")
        self.stdout.write(f"Password for every demo account: {report.password}")
        self.stdout.write("")
        width = max(len(account.email) for account in report.accounts)
        for account in report.accounts:
            line = f"  {account.email:<{width}}  {account.role}"
            if account.note:
                line += f" ({account.note})"
            self.stdout.write(line)
            if account.totp_secret:
                self.stdout.write(f"  {'':<{width}}  two-factor (TOTP) secret: {account.totp_secret}")
        if any(account.totp_secret for account in report.accounts):
            self.stdout.write("")
            self.stdout.write(
                "Staff accounts sign in with a code from an authenticator app: add the secret above to "
                "the app as a time-based key entered by hand (6 digits, every 30 seconds)."
            )
        for note in report.notes:
            self.stdout.write(note)
