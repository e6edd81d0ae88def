"""The complaint form is never without allegation categories."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from complaints.categories import DEFAULT_CATEGORIES, categories_install_defaults
from complaints.models import AllegationCategory


def test_it_installs_the_defaults_with_the_migration(db):
    assert list(AllegationCategory.objects.values_list("slug", flat=True)) == [c[0] for c in DEFAULT_CATEGORIES]


def test_it_leaves_categories_alone_when_there_are_some(db):
    AllegationCategory.objects.exclude(slug="other").delete()
    assert categories_install_defaults() == 0
    assert list(AllegationCategory.objects.values_list("slug", flat=True)) == ["other"]


@pytest.mark.django_db(transaction=True)
def test_it_puts_the_defaults_back_after_a_flush():
    call_command("flush", interactive=False, verbosity=0)
    assert AllegationCategory.objects.count() == len(DEFAULT_CATEGORIES)
    assert AllegationCategory.objects.get(slug="use-of-force").name_es == "Uso de la fuerza"
