import os
import time
from unittest import mock

import pytest
from django.db.utils import OperationalError

from portal.celery import app as celery_app
from tests.portal.test_background import _dead_port


def test_it_reports_database_and_broker_state(db, client):
    response = client.get("/healthz")  # the embedded broker, or Redis when REDIS_URL is set
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_it_answers_503_when_the_database_is_unreachable(db, client):
    with mock.patch("portal.views.site.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "down", "broker": "ok"}


def test_it_has_no_language_prefix(db, client):
    assert client.get("/es/healthz").status_code == 404


def test_it_needs_no_https_redirect(db, client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200


@pytest.fixture
def dead_redis_broker(settings):
    """The production broker options, at a port where no Redis answers (Celery reads settings lazily)."""
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_dead_port()}/0"
    settings.CELERY_BROKER_TRANSPORT = None  # the embedded broker's class, when REDIS_URL is unset
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5, "max_retries": 0}
    assert celery_app.conf.broker_url == settings.CELERY_BROKER_URL


def test_it_reports_the_embedded_broker_ok(db, client, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path)}
    assert client.get("/healthz").json()["broker"] == "ok"


def test_it_reports_a_missing_embedded_broker_folder(db, client, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "gone")}
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "missing"


def test_it_reports_redis_down_at_once_and_still_answers_200(db, client, caplog, dead_redis_broker):
    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "down"}
    assert elapsed < 2
    assert "healthz: broker unreachable" in caplog.text


def test_it_answers_503_with_both_database_and_redis_down(db, client, dead_redis_broker):
    with mock.patch("portal.views.site.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "down", "broker": "down"}


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL), as in .ci/run")
def test_it_reports_redis_ok_when_it_answers(db, client):
    assert celery_app.conf.broker_url.startswith("redis://")
    assert client.get("/healthz").json()["broker"] == "ok"
