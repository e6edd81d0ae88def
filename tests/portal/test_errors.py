"""Our own 400/403/404/500 and CSRF pages, in the site's layout and both languages.

pytest-django runs with DEBUG off, so Django uses the handlers in portal.urls, as in production.
"""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client, RequestFactory
from django.urls import path
from django.utils import translation

from portal.urls import urlpatterns as portal_urlpatterns
from portal.views.site import bad_request_view, permission_denied_view, server_error_view


def _boom(request):
    raise RuntimeError("something broke")


def _forbidden(request):
    raise PermissionDenied


def _suspicious(request):
    raise SuspiciousOperation("tampered")


# A URLconf for the tests below that need a view that fails (@pytest.mark.urls(__name__)).
urlpatterns = [
    path("boom/", _boom),
    path("forbidden/", _forbidden),
    path("suspicious/", _suspicious),
    *portal_urlpatterns,
]
handler400 = "portal.views.site.bad_request_view"
handler403 = "portal.views.site.permission_denied_view"
handler404 = "portal.views.site.not_found_view"
handler500 = "portal.views.site.server_error_view"


def in_language(language: str, text: str) -> str:
    with translation.override(language):
        return str(translation.gettext(text))


def test_it_answers_an_unknown_url_with_our_404_page(db, client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert '<html lang="en"' in body
    assert "<h1>Page not found</h1>" in body
    assert "This site is not for emergencies" in body  # in the site's layout
    assert 'href="/privacy/"' in body


def test_it_answers_an_unknown_url_under_es_with_the_spanish_404_page(db, client):
    response = client.get("/es/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert '<html lang="es"' in body
    assert f"<h1>{in_language('es', 'Page not found')}</h1>" in body
    assert 'href="/es/privacy/"' in body
    # The language switcher still leads to the same address in English.
    assert 'href="/no-such-page/" hreflang="en"' in body


@pytest.mark.parametrize("path", ["/xx/officers/", "/en/officers/", "/es-xx/officers/", "/ES/officers/", "/es/es/"])
def test_it_answers_a_tampered_language_prefix_with_404(db, client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode() or "no encontrada" in response.content.decode()


def test_it_answers_a_post_without_a_csrf_token_with_our_403_page(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"login": "a@example.org", "password": "x"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "<h1>Your form expired</h1>" in body
    assert "This site is not for emergencies" in body


def test_it_answers_a_post_without_a_csrf_token_in_spanish_under_es(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/es/accounts/login/", {"login": "a@example.org", "password": "x"})
    assert response.status_code == 403
    assert '<html lang="es"' in response.content.decode()
    assert in_language("es", "Your form expired") in response.content.decode()


@pytest.mark.urls(__name__)
def test_it_answers_permission_denied_with_our_403_page(db, client):
    response = client.get("/forbidden/")
    assert response.status_code == 403
    assert "<h1>You do not have access to this page</h1>" in response.content.decode()
    assert "/accounts/login/?next=/forbidden/" in response.content.decode()


@pytest.mark.urls(__name__)
def test_it_answers_a_suspicious_request_with_our_400_page(db, client):
    response = client.get("/suspicious/")
    assert response.status_code == 400
    assert "<h1>Something in that request was not right</h1>" in response.content.decode()


@pytest.mark.urls(__name__)
def test_it_answers_a_crash_with_our_500_page(db):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "<h1>Something went wrong</h1>" in body
    assert "In an emergency call 911" in body


def test_it_renders_the_500_page_without_the_database(db, rf: RequestFactory, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = server_error_view(rf.get("/"))
    assert response.status_code == 500
    assert "Riverside Police Department" in response.content.decode()


def test_it_renders_the_500_page_in_spanish(rf: RequestFactory):
    with translation.override("es"):
        response = server_error_view(rf.get("/es/"))
    body = response.content.decode()
    assert '<html lang="es">' in body
    assert 'href="/es/"' in body
    assert 'href="/es/privacy/"' in body
    assert in_language("es", "Something went wrong") in body


@pytest.mark.parametrize("view", [bad_request_view, permission_denied_view])
def test_it_renders_the_other_error_pages_in_spanish(db, rf: RequestFactory, view):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/es/x/")
    request.user = AnonymousUser()
    with translation.override("es"):
        response = view(request, exception=None)
    assert '<html lang="es"' in response.content.decode()
