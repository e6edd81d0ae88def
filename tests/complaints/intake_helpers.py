"""Shared set-up for the intake tests: a finished draft (for the services) and a walk through the
steps with the test client (for the pages)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from complaints import drafts
from complaints.models import IntakeDraft
from tests.complaints.factories import category


def answers(**overrides: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every form step's answers, as the forms store them (form data)."""
    steps: dict[str, dict[str, Any]] = {
        "about-you": {"filer": "self"},
        "when": {"incident_date": (timezone.localdate() - timedelta(days=2)).isoformat(), "incident_time": "21:15"},
        "where": {"incident_place": "Main Street and 5th Avenue", "district": ""},
        "what-happened": {"narrative": "The officer shouted at me and pushed me against the car."},
        "officers": {"officers": []},
        "allegations": {"categories": [str(category("discourtesy").pk), str(category("use-of-force").pk)]},
        "witnesses": {"witnesses": ""},
        "evidence": {},
        "contact": {
            "complainant_name": "Maria Lopez",
            "complainant_email": "maria@example.org",
            "complainant_phone": "",
            "contact_preference": "email",
            "language": "en",
            "consent_to_contact": "on",
        },
    }
    for step, values in overrides.items():
        steps[step.replace("_", "-")] = {**steps[step.replace("_", "-")], **values}
    return steps


def finished_draft(
    *, user: Any = None, entered_by: Any = None, channel: str = "online", **overrides: Any
) -> IntakeDraft:
    draft, _key = drafts.draft_start(user=user, entered_by=entered_by, channel=channel)
    for step, values in answers(**overrides).items():
        drafts.draft_save_step(draft_id=draft.pk, step=step, answers=values)
    draft.refresh_from_db()
    return draft


def step_url(step: str) -> str:
    return reverse("complaints:step", kwargs={"step": step})


def start(client: Any) -> None:
    response = client.post(reverse("complaints:start"))
    assert response.status_code == 302
    assert response["Location"] == step_url("about-you")


def walk(client: Any, *, until: str | None = None, **overrides: Any) -> None:
    """Start and answer every step (up to, not including, `until`) with the client."""
    start(client)
    for step, values in answers(**overrides).items():
        if step == until:
            return
        if step in ("officers", "evidence"):
            response = client.post(step_url(step), {"action": "continue"})
        else:
            response = client.post(step_url(step), values)
        assert response.status_code == 302, (step, response.content.decode()[:3000])
