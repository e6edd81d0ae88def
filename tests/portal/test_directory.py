import pytest
from django.urls import reverse

from portal import fragments
from portal.directory import OFFICERS_PER_PAGE, SEARCH_MAX_LENGTH
from portal.models import OfficerProfile
from tests.factories import DistrictFactory, LanguageFactory, OfficerProfileFactory, TrainingRecordFactory

OFFICERS = "/officers/"


def names(response) -> str:
    return response.content.decode()


@pytest.fixture
def memory_cache(settings):
    """A cache that runs no SQL, so pinned query counts are the same on the database cache and Redis."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "dir"}}
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# --- The officer list -----------------------------------------------------------------------------


def test_it_lists_only_public_officers(db, client):
    OfficerProfileFactory(first_name="Ana", last_name="Ruiz")
    OfficerProfileFactory(first_name="Hidden", last_name="Person", is_public=False)
    response = client.get(OFFICERS)
    assert response.status_code == 200
    assert "Ana Ruiz" in names(response)
    assert "Hidden Person" not in names(response)
    assert "1 officer in the directory" in names(response)


def test_it_filters_officers_by_district(db, client):
    east, west = DistrictFactory(slug="east"), DistrictFactory(slug="west")
    OfficerProfileFactory(first_name="Eastern", last_name="Officer", district=east)
    OfficerProfileFactory(first_name="Western", last_name="Officer", district=west)
    response = client.get(OFFICERS, {"district": "east"})
    assert response.status_code == 200
    assert "Eastern Officer" in names(response)
    assert "Western Officer" not in names(response)
    assert "1 officer matches your search" in names(response)


def test_it_filters_officers_by_language(db, client):
    vietnamese = LanguageFactory(code="vi", name="Vietnamese")
    OfficerProfileFactory(first_name="Minh", last_name="Nguyen", languages=[vietnamese, LanguageFactory()])
    OfficerProfileFactory(first_name="Only", last_name="English", languages=[LanguageFactory()])
    response = client.get(OFFICERS, {"language": "vi"})
    assert "Minh Nguyen" in names(response)
    assert "Only English" not in names(response)
    # Filtering by a language an officer speaks lists them once, not once per language.
    assert names(response).count("Minh Nguyen") == 1


@pytest.mark.parametrize(
    ("query", "found"),
    [("ruiz", True), ("  Ana   RUIZ ", True), ("B7777", True), ("b7777", True), ("Ana Smith", False), ("777", False)],
)
def test_it_searches_by_name_or_badge(db, client, query, found):
    OfficerProfileFactory(first_name="Ana", last_name="Ruiz", badge_number="B7777")
    OfficerProfileFactory(first_name="Other", last_name="Person", badge_number="B1")
    response = client.get(OFFICERS, {"q": query})
    assert response.status_code == 200
    assert ("Ana Ruiz" in names(response)) is found
    assert "Other Person" not in names(response)


def test_it_answers_an_overlong_search_with_400_and_a_message(db, client):
    response = client.get(OFFICERS, {"q": "x" * (SEARCH_MAX_LENGTH + 1)})
    assert response.status_code == 400
    assert f"Search for at most {SEARCH_MAX_LENGTH} characters" in names(response)
    assert 'aria-describedby="id_q_error"' in names(response)
    assert 'id="id_q_error"' in names(response)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"district": "atlantis"}, "There is no district called “atlantis”."),
        ({"language": "xx"}, "There is no language “xx” in the list."),
        ({"district": "<script>"}, "There is no district called “&lt;script&gt;”."),
    ],
)
def test_it_answers_unknown_filter_values_with_400_and_a_message(db, client, params, message):
    response = client.get(OFFICERS, params)
    assert response.status_code == 400
    assert message in names(response)
    assert "There is a problem" in names(response)


@pytest.mark.parametrize(
    "params", [{"q": "a\x00b"}, {"district": "a\x00"}, {"language": "e\x00s"}, {"district": "x" * 5000}]
)
def test_it_answers_garbage_in_the_filters_with_400(db, client, params):
    assert client.get(OFFICERS, params).status_code == 400


def test_it_ignores_empty_filters(db, client):
    OfficerProfileFactory(first_name="Ana", last_name="Ruiz")
    response = client.get(OFFICERS, {"q": "", "district": "", "language": ""})
    assert response.status_code == 200
    assert "Ana Ruiz" in names(response)


def test_it_paginates_and_says_which_page(db, client):
    district = DistrictFactory()
    OfficerProfileFactory.create_batch(OFFICERS_PER_PAGE + 3, district=district)
    first = client.get(OFFICERS)
    assert first.context["results"].count == OFFICERS_PER_PAGE + 3
    assert f"{OFFICERS_PER_PAGE + 3} officers in the directory" in names(first)
    assert "page 1 of 2" in names(first)
    assert 'class="usa-pagination"' in names(first)
    second = client.get(OFFICERS, {"page": "2", "district": district.slug})
    assert second.status_code == 200
    assert "page 2 of 2" in names(second)
    assert names(second).count('<th scope="row">') == 3
    # Page links keep the filters.
    assert f"?district={district.slug}&amp;page=1" in names(second)


@pytest.mark.parametrize("page", ["99", "0", "-1", "abc", "1.5", "9" * 40])
def test_it_answers_a_bad_page_number_with_404(db, client, page):
    OfficerProfileFactory()
    response = client.get(OFFICERS, {"page": page})
    assert response.status_code == 404
    assert "Page not found" in names(response)


def test_it_offers_the_filter_form_with_labels(db, client):
    DistrictFactory(name="North", slug="north")
    response = client.get(OFFICERS)
    content = names(response)
    assert '<form class="usa-form portal-filter__form" method="get"' in content
    for field in ("q", "district", "language"):
        assert f'for="id_{field}"' in content
    assert '<option value="north">North</option>' in content


def test_it_refuses_to_change_anything(db, client):
    assert client.post(OFFICERS).status_code == 405


@pytest.mark.parametrize("count", [1, 20])
def test_it_keeps_the_officer_list_query_count_flat(db, memory_cache, client, django_assert_num_queries, count):
    district = DistrictFactory(slug="the-district")
    language = LanguageFactory(code="es", name="Spanish")
    for _ in range(count):
        officer = OfficerProfileFactory(district=district, languages=[language, LanguageFactory()])
        TrainingRecordFactory(officer=officer)
    # Cold cache: the form's district and language lookups, the count, the rows with their
    # districts, their languages, and the form's two lists of choices.
    with django_assert_num_queries(7):
        response = client.get(OFFICERS, {"district": "the-district", "language": "es"})
    assert response.context["results"].count == count
    # Warm cache: the rows come from the fragment; only the form still reads.
    with django_assert_num_queries(4):
        client.get(OFFICERS, {"district": "the-district", "language": "es"})


# --- Cached fragments go stale when their rows change ------------------------------------------


def test_it_shows_an_edit_to_an_officer_at_once(db, client):
    officer = OfficerProfileFactory(first_name="Ana", last_name="Ruiz")
    assert "Ana Ruiz" in names(client.get(OFFICERS))
    officer.last_name = "Ruiz-Moreno"
    officer.save(update_fields=["last_name"])
    assert "Ana Ruiz-Moreno" in names(client.get(OFFICERS))
    officer.is_public = False
    officer.save(update_fields=["is_public"])
    assert "Ana Ruiz" not in names(client.get(OFFICERS))


def test_it_shows_an_edit_to_a_district_or_languages_at_once(db, client):
    district = DistrictFactory(name="Old Name")
    officer = OfficerProfileFactory(district=district)
    assert "Old Name" in names(client.get(OFFICERS))
    district.name = "New Name"
    district.save(update_fields=["name"])
    assert "New Name" in names(client.get(OFFICERS))
    officer.languages.add(LanguageFactory(code="vi", name="Vietnamese"))
    assert "Vietnamese" in names(client.get(OFFICERS))
    assert "New Name" in names(client.get(reverse("portal:district-detail", kwargs={"slug": district.slug})))


def test_it_shows_a_deleted_officer_gone_at_once(db, client):
    officer = OfficerProfileFactory(first_name="Gone", last_name="Soon")
    assert "Gone Soon" in names(client.get(OFFICERS))
    officer.delete()
    assert "Gone Soon" not in names(client.get(OFFICERS))


def test_it_keys_fragments_by_language(db, client):
    OfficerProfileFactory(languages=[LanguageFactory(code="es", name="Spanish")])
    assert "Spanish" in client.get(OFFICERS).context["results"].html
    spanish_rows = client.get("/es/officers/").context["results"].html
    assert "Español" in spanish_rows  # not the English fragment
    assert "Spanish" not in spanish_rows


def test_it_survives_a_lost_version_key(db, client):
    OfficerProfileFactory(first_name="Ana", last_name="Ruiz")
    client.get(OFFICERS)
    from django.core.cache import cache

    cache.delete("portal:fragment-version:directory")
    fragments.fragment_version_bump(scope=fragments.DIRECTORY)  # must not fail on a missing key
    OfficerProfile.objects.update(last_name="Changed")  # no signal: the bump above stands in
    fragments.fragment_version_bump(scope=fragments.DIRECTORY)
    assert "Ana Changed" in names(client.get(OFFICERS))


# --- An officer -----------------------------------------------------------------------------------


def test_it_shows_an_officer_with_district_languages_and_training(db, client):
    district = DistrictFactory(name="East District", slug="east")
    officer = OfficerProfileFactory(
        first_name="Ana",
        last_name="Ruiz",
        rank="Sergeant",
        badge_number="1042",
        district=district,
        bio="Leads outreach.",
        languages=[LanguageFactory(code="es", name="Spanish")],
    )
    TrainingRecordFactory(officer=officer, course="Crisis Intervention", completed_on="2025-01-15")
    response = client.get(officer.get_absolute_url())
    content = names(response)
    assert response.status_code == 200
    for text in ("Ana Ruiz", "Sergeant", "1042", "Spanish", "Leads outreach.", "Crisis Intervention"):
        assert text in content
    assert 'href="/districts/east/"' in content
    assert 'datetime="2025-01-15"' in content


def test_it_answers_404_for_a_hidden_or_unknown_officer(db, client):
    hidden = OfficerProfileFactory(is_public=False)
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get("/officers/nobody/").status_code == 404


def test_it_keeps_the_officer_page_query_count_flat(db, client, django_assert_num_queries):
    officer = OfficerProfileFactory(languages=[LanguageFactory()])
    TrainingRecordFactory.create_batch(5, officer=officer)
    # officer with district, languages, training records; + the feedback section's published
    # compliments (its replies are one more query only when there are compliments)
    with django_assert_num_queries(4):
        client.get(officer.get_absolute_url())


# --- Districts ------------------------------------------------------------------------------------


def test_it_lists_districts_with_their_public_officer_counts(db, client):
    district = DistrictFactory(name="North District")
    OfficerProfileFactory.create_batch(2, district=district)
    OfficerProfileFactory(district=district, is_public=False)
    response = client.get("/districts/")
    assert response.status_code == 200
    assert "North District" in names(response)
    assert "2 officers" in names(response)


def test_it_shows_a_district_with_its_public_officers(db, client):
    district = DistrictFactory(name="North District", description="Quiet streets.")
    OfficerProfileFactory(first_name="Visible", last_name="One", district=district)
    OfficerProfileFactory(first_name="Hidden", last_name="Two", district=district, is_public=False)
    OfficerProfileFactory(first_name="Elsewhere", last_name="Three")
    response = client.get(district.get_absolute_url())
    content = names(response)
    assert response.status_code == 200
    assert "Quiet streets." in content
    assert "Visible One" in content
    assert "Hidden Two" not in content
    assert "Elsewhere Three" not in content


def test_it_says_when_a_district_has_no_officers(db, client):
    district = DistrictFactory()
    assert "No officers are listed for this district yet." in names(client.get(district.get_absolute_url()))


def test_it_answers_404_for_an_unknown_district(db, client):
    assert client.get("/districts/atlantis/").status_code == 404


@pytest.mark.parametrize("count", [1, 20])
def test_it_keeps_the_district_page_query_count_flat(db, memory_cache, client, django_assert_num_queries, count):
    district = DistrictFactory()
    OfficerProfileFactory.create_batch(count, district=district, languages=[LanguageFactory()])
    # the district, its officers, their languages, the events section's upcoming events, and the
    # feedback section's published items and trust index, and the transparency section's
    # published updates (all cached, like the officers)
    with django_assert_num_queries(7):
        client.get(district.get_absolute_url())
    with django_assert_num_queries(1):  # the officers come from the fragment
        client.get(district.get_absolute_url())


@pytest.mark.parametrize("count", [1, 20])
def test_it_keeps_the_district_list_query_count_flat(db, client, django_assert_num_queries, count):
    for _ in range(count):
        OfficerProfileFactory(district=DistrictFactory())
    with django_assert_num_queries(1):
        client.get("/districts/")
