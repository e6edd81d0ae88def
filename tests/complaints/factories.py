"""Factories for complaints (setup only: they bypass the services, but number references like them)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import factory
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from complaints.models import (
    AccessLogEntry,
    Allegation,
    AllegationCategory,
    Complaint,
    ComplaintEvent,
    ComplaintMessage,
    ComplaintOfficer,
    Evidence,
)
from complaints.references import access_code_hash, access_code_new, reference_next
from tests.factories import DistrictFactory, InvestigatorFactory

# The smallest valid PNG (1 by 1 pixel): what a phone photo looks like to a content check.
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def category(slug: str = "discourtesy") -> AllegationCategory:
    """One of the categories the migration installs."""
    return AllegationCategory.objects.get(slug=slug)


class ComplaintFactory(factory.django.DjangoModelFactory):
    """A complaint received online from someone without an account (no officers; add them)."""

    class Meta:
        model = Complaint

    year = factory.LazyFunction(lambda: timezone.now().year)
    complainant_name = factory.Faker("name")
    complainant_email = factory.Sequence(lambda n: f"complainant{n}@example.org")
    consent_to_contact = True
    contact_preference = Complaint.Contact.EMAIL
    incident_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=3))
    incident_place = "Main Street and 5th Avenue"
    district = factory.SubFactory(DistrictFactory)
    narrative = factory.Faker("paragraph")
    received_at = factory.LazyFunction(timezone.now)
    acknowledge_by = factory.LazyAttribute(
        lambda c: (timezone.localtime(c.received_at) + timedelta(days=settings.COMPLAINTS_ACKNOWLEDGE_DAYS)).date()
    )
    finish_by = factory.LazyAttribute(
        lambda c: (timezone.localtime(c.received_at) + timedelta(days=settings.COMPLAINTS_FINISH_DAYS)).date()
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        if not kwargs.get("reference"):
            number, reference = reference_next(year=kwargs["year"])
            kwargs.update(number=number, reference=reference)
        return super()._create(model_class, *args, **kwargs)

    @classmethod
    def with_code(cls, **kwargs) -> tuple[Complaint, str]:
        """A complaint and its access code (as shown once to the filer)."""
        code = access_code_new()
        return cls(access_code_hash=access_code_hash(code), **kwargs), code

    @classmethod
    def naming(cls, officer_profile, *, category_slug: str = "discourtesy", **kwargs) -> Complaint:
        """A complaint naming this officer profile, with one allegation."""
        complaint = cls(**kwargs)
        involved = ComplaintOfficer.objects.create(complaint=complaint, officer=officer_profile)
        Allegation.objects.create(complaint=complaint, officer=involved, category=category(category_slug))
        return complaint


class ComplaintOfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComplaintOfficer

    complaint = factory.SubFactory(ComplaintFactory)
    described_name = "Officer with a moustache"


class AllegationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allegation

    officer = factory.SubFactory(ComplaintOfficerFactory)
    complaint = factory.LazyAttribute(lambda a: a.officer.complaint)
    category = factory.LazyFunction(category)


class ComplaintEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComplaintEvent

    complaint = factory.SubFactory(ComplaintFactory)
    kind = ComplaintEvent.Kind.NOTE
    note = "Called the complainant."


class ComplaintMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComplaintMessage

    complaint = factory.SubFactory(ComplaintFactory)
    from_complainant = True
    body = factory.Faker("sentence")


class EvidenceFactory(factory.django.DjangoModelFactory):
    """A PNG photo attached to a complaint, stored in the private evidence storage."""

    class Meta:
        model = Evidence

    complaint = factory.SubFactory(ComplaintFactory)
    file = factory.LazyFunction(lambda: ContentFile(PNG_BYTES, name="photo.png"))
    original_name = "photo.png"
    content_type = "image/png"
    size = len(PNG_BYTES)
    sha256 = hashlib.sha256(PNG_BYTES).hexdigest()


class AccessLogEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessLogEntry

    complaint = factory.SubFactory(ComplaintFactory)
    actor = factory.SubFactory(InvestigatorFactory)
    action = AccessLogEntry.Action.VIEW
    ip_address = "127.0.0.1"
