"""allauth hooks: its mail goes through the outbox like every other message."""

from __future__ import annotations

import uuid
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation

from portal.models import User
from portal.outbox import outbox_enqueue


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        user = context.get("user")
        if not isinstance(user, User):
            user = User.objects.filter(email__iexact=email).first()
        language = user.language if user is not None and user.last_login else translation.get_language()
        outbox_enqueue(
            # allauth mail may rightly be sent again (a new code, a resent link): each send is new.
            dedupe_key=f"allauth:{template_prefix}:{uuid.uuid4().hex}",
            to=email,
            template=template_prefix,
            context={**context, "user": user},
            language=language or "en",
        )
