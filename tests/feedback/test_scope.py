"""The staff scope (feedback.permissions.feedback_visible_to) and the small predicates: every kind
of feedback by what it is about by how the officer relates to it, and above all that a concern
naming an officer never reaches any officer — on the list, the detail, the counts and the filters.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from feedback import permissions
from feedback.models import Feedback
from tests.events.factories import EventFactory
from tests.factories import (
    AdministratorFactory,
    DistrictFactory,
    InvestigatorFactory,
    OfficerFactory,
    OfficerProfileFactory,
    ResidentFactory,
)
from tests.feedback.factories import AnonymousFeedbackFactory, FeedbackFactory

pytestmark = pytest.mark.django_db

K = Feedback.Kind
A = Feedback.About
NON_CONCERNS = [K.COMPLIMENT, K.SUGGESTION, K.QUESTION]
ALL_KINDS = [*NON_CONCERNS, K.CONCERN]


@pytest.fixture
def w():
    """An officer (profile in district `mine`) who hosts `hosted`; a colleague in `other`."""
    mine, other = DistrictFactory(), DistrictFactory()
    officer = OfficerFactory()
    profile = OfficerProfileFactory(user=officer, district=mine)
    colleague_in_mine = OfficerProfileFactory(district=mine)
    colleague_elsewhere = OfficerProfileFactory(district=other)
    hosted = EventFactory(district=other, hosts=[profile])
    not_hosted = EventFactory(district=other, hosts=[colleague_elsewhere])
    return SimpleNamespace(
        mine=mine,
        other=other,
        officer=officer,
        profile=profile,
        colleague_in_mine=colleague_in_mine,
        colleague_elsewhere=colleague_elsewhere,
        hosted=hosted,
        not_hosted=not_hosted,
    )


def _visible(user, item) -> bool:
    return permissions.feedback_visible_to(user=user).filter(pk=item.pk).exists()


# (label, how to build the item's subject, visible for a non-concern, visible for a concern)
CASES = [
    ("about themselves", lambda w: {"about": A.OFFICER, "officer": w.profile, "district": w.other}, True, False),
    (
        "about a colleague in their district",
        lambda w: {"about": A.OFFICER, "officer": w.colleague_in_mine, "district": w.mine},
        True,
        False,
    ),
    ("about their district", lambda w: {"about": A.DISTRICT, "district": w.mine}, True, True),
    ("about an event they host", lambda w: {"about": A.EVENT, "event": w.hosted, "district": w.other}, True, True),
    (
        "about an event they host, naming an officer",
        lambda w: {"about": A.EVENT, "event": w.hosted, "district": w.other, "officer": w.colleague_elsewhere},
        True,
        False,
    ),
    ("about another district", lambda w: {"about": A.DISTRICT, "district": w.other}, False, False),
    ("about the department", lambda w: {"about": A.DEPARTMENT, "district": None}, False, False),
    (
        "about an officer elsewhere",
        lambda w: {"about": A.OFFICER, "officer": w.colleague_elsewhere, "district": w.other},
        False,
        False,
    ),
    (
        "about an event they do not host",
        lambda w: {"about": A.EVENT, "event": w.not_hosted, "district": w.other},
        False,
        False,
    ),
]


@pytest.mark.parametrize("kind", ALL_KINDS)
@pytest.mark.parametrize(("label", "subject", "non_concern", "concern"), CASES, ids=[case[0] for case in CASES])
def test_it_scopes_each_kind_and_subject_for_an_officer(w, kind, label, subject, non_concern, concern):
    item = FeedbackFactory(kind=kind, **subject(w))
    expected = concern if kind == K.CONCERN else non_concern
    assert _visible(w.officer, item) is expected, f"{kind} {label}"


@pytest.mark.parametrize("kind", ALL_KINDS)
@pytest.mark.parametrize(("label", "subject", "non_concern", "concern"), CASES, ids=[case[0] for case in CASES])
def test_it_shows_administrators_everything(w, kind, label, subject, non_concern, concern):
    item = FeedbackFactory(kind=kind, **subject(w))
    assert _visible(AdministratorFactory(), item)


@pytest.mark.parametrize(
    "make_user",
    [ResidentFactory, InvestigatorFactory, AnonymousUser, lambda: None],
    ids=["resident", "investigator", "visitor", "nobody"],
)
def test_it_shows_others_nothing(w, make_user):
    FeedbackFactory(kind=K.COMPLIMENT, about=A.DISTRICT, district=w.mine)
    assert not permissions.feedback_visible_to(user=make_user()).exists()


def test_it_shows_an_officer_without_a_profile_nothing(w):
    FeedbackFactory(kind=K.COMPLIMENT, about=A.DISTRICT, district=w.mine)
    assert not permissions.feedback_visible_to(user=OfficerFactory()).exists()


def test_it_shows_an_inactive_administrator_nothing(w):
    FeedbackFactory()
    admin = AdministratorFactory()
    admin.is_active = False
    admin.save()
    assert not permissions.feedback_visible_to(user=admin).exists()


def test_it_shows_a_published_concern_naming_the_officer_to_them(w):
    item = FeedbackFactory(
        kind=K.CONCERN,
        about=A.OFFICER,
        officer=w.profile,
        district=w.mine,
        may_publish=True,
        publication=Feedback.Publication.PUBLISHED,
    )
    assert _visible(w.officer, item)


@pytest.mark.parametrize("publication", ["private", "awaiting", "declined"])
def test_it_keeps_an_unpublished_concern_naming_the_officer_from_them(w, publication):
    item = FeedbackFactory(kind=K.CONCERN, about=A.OFFICER, officer=w.profile, publication=publication)
    assert not _visible(w.officer, item)


def test_it_keeps_a_published_concern_out_of_scope_hidden(w):
    item = FeedbackFactory(
        kind=K.CONCERN,
        about=A.OFFICER,
        officer=w.colleague_elsewhere,
        district=w.other,
        publication=Feedback.Publication.PUBLISHED,
    )
    assert not _visible(w.officer, item)


def test_it_lists_each_item_once_when_an_event_has_several_hosts(w):
    w.hosted.hosts.add(w.colleague_in_mine, w.colleague_elsewhere)
    FeedbackFactory(kind=K.QUESTION, about=A.EVENT, event=w.hosted, district=w.mine)
    assert permissions.feedback_visible_to(user=w.officer).count() == 1


# --- The concern that names an officer, seen through the pages --------------------------------


@pytest.fixture
def named_concern(w):
    return AnonymousFeedbackFactory(
        kind=K.CONCERN, about=A.OFFICER, officer=w.profile, district=w.mine, message="Concern about conduct"
    )


def test_it_keeps_a_concern_naming_the_officer_off_their_inbox_counts_and_filters(client, w, named_concern):
    FeedbackFactory(kind=K.COMPLIMENT, about=A.OFFICER, officer=w.profile, district=w.mine)
    client.force_login(w.officer)
    inbox = reverse("feedback:staff-inbox")
    response = client.get(inbox)
    assert response.status_code == 200
    assert response.context["counts"]["total"] == 1
    assert response.context["counts"]["new"] == 1
    assert [item.kind for item in response.context["items"]] == [K.COMPLIMENT]
    assert b"Concern about conduct" not in response.content
    for query in (
        {"kind": "concern"},
        {"officer": w.profile.pk},
        {"district": w.mine.pk},
        {"kind": "concern", "officer": w.profile.pk},
    ):
        response = client.get(inbox, query)
        assert response.status_code == 200
        assert all(item.pk != named_concern.pk for item in response.context["items"]), query
    response = client.get(reverse("feedback:staff-detail", kwargs={"pk": named_concern.pk}))
    assert response.status_code == 404


def test_it_keeps_a_concern_naming_an_officer_from_their_district_colleagues_and_event_hosts(w):
    colleague = OfficerFactory()
    OfficerProfileFactory(user=colleague, district=w.mine)
    item = FeedbackFactory(kind=K.CONCERN, about=A.EVENT, event=w.hosted, officer=w.colleague_in_mine, district=w.mine)
    assert not _visible(colleague, item)
    assert not _visible(w.officer, item)
    assert _visible(AdministratorFactory(), item)


def test_it_does_not_offer_officers_as_assignees_for_a_concern_naming_an_officer(w, named_concern):
    admin = AdministratorFactory()
    assignees = set(permissions.feedback_assignable_users(feedback=named_concern))
    assert admin in assignees
    assert w.officer not in assignees


def test_it_offers_as_assignees_exactly_the_staff_who_can_see_the_item(w):
    district_colleague = OfficerFactory()
    OfficerProfileFactory(user=district_colleague, district=w.mine)
    elsewhere = OfficerFactory()
    OfficerProfileFactory(user=elsewhere, district=w.other)
    admin = AdministratorFactory()
    InvestigatorFactory()
    ResidentFactory()
    for item in (
        FeedbackFactory(kind=K.QUESTION, about=A.DISTRICT, district=w.mine),
        FeedbackFactory(kind=K.QUESTION, about=A.EVENT, event=w.hosted, district=w.other),
        FeedbackFactory(kind=K.COMPLIMENT, about=A.OFFICER, officer=w.profile, district=w.other),
        FeedbackFactory(kind=K.CONCERN, about=A.OFFICER, officer=w.profile, district=w.mine),
    ):
        assignees = set(permissions.feedback_assignable_users(feedback=item))
        staff = {w.officer, district_colleague, elsewhere, admin}
        assert assignees == {user for user in staff if _visible(user, item)}, item.about


# --- Predicates -------------------------------------------------------------------------------


def test_it_lets_officers_and_administrators_use_the_inbox():
    assert permissions.can_use_inbox(OfficerFactory())
    assert permissions.can_use_inbox(AdministratorFactory())
    assert not permissions.can_use_inbox(InvestigatorFactory())
    assert not permissions.can_use_inbox(ResidentFactory())
    assert not permissions.can_use_inbox(AnonymousUser())


def test_it_keeps_moderation_templates_and_complaints_for_administrators(w):
    concern = FeedbackFactory(kind=K.CONCERN, district=w.mine)
    question = FeedbackFactory(kind=K.QUESTION, district=w.mine)
    admin = AdministratorFactory()
    assert permissions.can_moderate(admin)
    assert not permissions.can_moderate(w.officer)
    assert permissions.can_manage_templates(admin)
    assert not permissions.can_manage_templates(w.officer)
    assert permissions.can_convert_to_complaint(admin, concern)
    assert not permissions.can_convert_to_complaint(admin, question)
    assert not permissions.can_convert_to_complaint(w.officer, concern)
    concern.complaint_reference = "C-1"
    assert not permissions.can_convert_to_complaint(admin, concern)


def test_it_lets_officers_reply_and_assign_in_scope_only_and_not_when_closed(w):
    mine = FeedbackFactory(kind=K.QUESTION, district=w.mine)
    theirs = FeedbackFactory(kind=K.QUESTION, district=w.other)
    assert permissions.can_reply(w.officer, mine)
    assert permissions.can_assign(w.officer, mine)
    assert not permissions.can_reply(w.officer, theirs)
    assert not permissions.can_assign(w.officer, theirs)
    mine.status = Feedback.Status.CLOSED
    assert not permissions.can_reply(w.officer, mine)
