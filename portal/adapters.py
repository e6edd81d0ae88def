"""allauth hooks: its mail goes through the outbox like every other message."""

from __future__ import annotations

import uuid
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from portal.models import User
from portal.outbox import outbox_enqueue

# The User.email column holds 254 characters; longer input is a form error, never a database error.
EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length
# Hashing megabytes of "password" is a cheap way to tie up a server; nobody types more than this.
PASSWORD_MAX_LENGTH = 1024


def _supported_language(code: str | None) -> str:
    try:
        return translation.get_supported_language_variant(code or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValidationError(
                _("An email address can be at most %(max)d characters long."),
                code="email_too_long",
                params={"max": EMAIL_MAX_LENGTH},
            )
        return super().clean_email(email)

    def clean_password(self, password: str, user: AbstractBaseUser | None = None) -> str:
        if len(password) > PASSWORD_MAX_LENGTH:
            raise ValidationError(
                _("A password can be at most %(max)d characters long."),
                code="password_too_long",
                params={"max": PASSWORD_MAX_LENGTH},
            )
        return super().clean_password(password, user)

    def save_user(self, request: HttpRequest, user: User, form: Any, commit: bool = True) -> User:
        # A person who signs up on the Spanish pages gets their mail in Spanish from the start.
        user.language = _supported_language(translation.get_language())
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        user = context.get("user")
        if not isinstance(user, User):
            user = User.objects.filter(email__iexact=email).first()
        language = user.language if user is not None else translation.get_language()
        outbox_enqueue(
            # allauth mail may rightly be sent again (a new code, a resent link): each send is new.
            dedupe_key=f"allauth:{template_prefix}:{uuid.uuid4().hex}",
            to=email,
            template=template_prefix,
            context={**context, "user": user},
            language=language or "en",
        )
