from unittest import mock

from django.db.utils import OperationalError


def test_it_reports_database_and_broker_state(db, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] in {"ok", "down", "missing"}


def test_it_answers_503_when_the_database_is_unreachable(db, client):
    with mock.patch("portal.views.site.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_it_has_no_language_prefix(db, client):
    assert client.get("/es/healthz").status_code == 404
