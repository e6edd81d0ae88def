"""The back office: every portal model's admin pages open for an administrator, and records stay records."""

import pytest

from portal.models import OutboxMessage, SitePage, StaffAuditEntry
from tests.factories import AdministratorFactory, OfficerProfileFactory, ResidentFactory, TrainingRecordFactory


@pytest.fixture
def admin_client(db, client):
    admin = AdministratorFactory()
    client.force_login(admin)
    client.user = admin
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/portal/district/",
        "/admin/portal/district/add/",
        "/admin/portal/officerprofile/",
        "/admin/portal/officerprofile/add/",
        "/admin/portal/language/",
        "/admin/portal/sitepage/",
        "/admin/portal/outboxmessage/",
        "/admin/portal/staffauditentry/",
        "/admin/portal/user/",
    ],
)
def test_it_opens_the_back_office_pages_for_an_administrator(admin_client, path):
    assert admin_client.get(path).status_code == 200


def test_it_edits_an_officer_with_training_records_inline(admin_client):
    officer = OfficerProfileFactory()
    TrainingRecordFactory(officer=officer, course="First Aid")
    response = admin_client.get(f"/admin/portal/officerprofile/{officer.pk}/change/")
    assert response.status_code == 200
    assert "First Aid" in response.content.decode()


def test_it_records_who_saved_a_site_page(admin_client):
    page = SitePage.objects.create(slug="privacy", title_en="Privacy", body_en="Text.")
    response = admin_client.post(
        f"/admin/portal/sitepage/{page.pk}/change/",
        {"title_en": "Privacy notice", "body_en": "New text.", "title_es": "", "body_es": ""},
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.body_en == "New text."
    assert page.updated_by == admin_client.user


def test_it_keeps_the_outbox_and_audit_trail_read_only(admin_client):
    message = OutboxMessage.objects.create(dedupe_key="k", to="a@example.org", template="t")
    entry = StaffAuditEntry.objects.create(
        actor=admin_client.user, subject=ResidentFactory(), action=StaffAuditEntry.Action.INVITE
    )
    assert admin_client.get("/admin/portal/outboxmessage/add/").status_code == 403
    assert admin_client.post(f"/admin/portal/outboxmessage/{message.pk}/delete/").status_code == 403
    assert admin_client.post(f"/admin/portal/staffauditentry/{entry.pk}/delete/").status_code == 403
    assert OutboxMessage.objects.filter(pk=message.pk).exists()


def test_it_never_deletes_an_account_from_the_back_office(admin_client):
    resident = ResidentFactory()
    assert admin_client.post(f"/admin/portal/user/{resident.pk}/delete/", {"post": "yes"}).status_code == 403


def test_it_keeps_residents_out_of_the_back_office(db, client):
    client.force_login(ResidentFactory())
    assert client.get("/admin/portal/officerprofile/").status_code == 302


def test_it_opens_the_account_pages_for_a_superuser(db, client):
    from tests.factories import StaffFactory

    client.force_login(StaffFactory(is_staff=True, is_superuser=True))
    resident = ResidentFactory()
    assert client.get(f"/admin/portal/user/{resident.pk}/change/").status_code == 200
    assert client.get("/admin/portal/user/add/").status_code == 200
    response = client.post(
        "/admin/portal/user/add/",
        {"email": "new@example.org", "usable_password": "false", "password1": "", "password2": ""},
    )
    assert response.status_code == 302
