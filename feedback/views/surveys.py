"""The trust survey behind an emailed, signed, single-use link (no sign-in).

A tampered, unknown or expired link answers 404 with a plain page. A link already used answers
410 Gone with a page saying the survey was already answered.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from feedback.forms_survey import SurveyForm
from feedback.services.surveys import survey_respond
from feedback.survey_links import survey_invitation_from_token


def _answered(request: HttpRequest) -> HttpResponse:
    return render(request, "feedback/survey_answered.html", status=410)


@never_cache
@require_http_methods(["GET", "POST"])
def survey_view(request: HttpRequest, token: str) -> HttpResponse:
    invitation = survey_invitation_from_token(token=token)
    if invitation is None:
        return render(request, "feedback/survey_invalid.html", status=404)
    if invitation.responded_at is not None:
        return _answered(request)
    form = SurveyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            survey_respond(invitation_id=invitation.pk, **form.cleaned_data)
        except ValidationError as error:
            if error.code == "already_answered":
                return _answered(request)
            if error.code == "expired":
                return render(request, "feedback/survey_invalid.html", status=404)
            form.add_error(None, error)
        else:
            return render(request, "feedback/survey_thanks.html")
    status = 400 if form.errors else 200
    return render(request, "feedback/survey.html", {"form": form, "invitation": invitation}, status=status)
