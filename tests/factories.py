"""Factories shared by every app's tests: people in each role, and the directory."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group

from portal.models import District, Language, OfficerProfile, TrainingRecord, User
from portal.roles import Role

DEFAULT_PASSWORD = "correct-horse-battery-staple"
# A fixed base32 TOTP secret so browser tests can compute codes.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class UserFactory(factory.django.DjangoModelFactory):
    """A verified resident: an account with a confirmed primary email address and no role."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(DEFAULT_PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)


ResidentFactory = UserFactory


class StaffFactory(UserFactory):
    """A staff member with two-factor set up (pass mfa=False for one who has not)."""

    @factory.post_generation
    def mfa(self, create, extracted, **kwargs):
        if create and extracted is not False:
            TOTP.activate(self, TOTP_SECRET)


def _in_role(role: Role) -> factory.PostGeneration:
    def add_group(user, create, extracted, **kwargs):
        if create:
            user.groups.add(Group.objects.get(name=role.value))

    return factory.PostGeneration(add_group)


class OfficerFactory(StaffFactory):
    role = _in_role(Role.OFFICER)


class InvestigatorFactory(StaffFactory):
    role = _in_role(Role.INVESTIGATOR)


class AdministratorFactory(StaffFactory):
    is_staff = True
    role = _in_role(Role.ADMINISTRATOR)


class LanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Language
        django_get_or_create = ("code",)

    code = "en"
    name = "English"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    name = factory.Sequence(lambda n: f"District {n}")
    slug = factory.Sequence(lambda n: f"district-{n}")
    description = factory.Faker("sentence")


class OfficerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfficerProfile
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    slug = factory.Sequence(lambda n: f"officer-{n}")
    badge_number = factory.Sequence(lambda n: f"B{1000 + n}")
    rank = "Officer"
    district = factory.SubFactory(DistrictFactory)
    bio = factory.Faker("sentence")
    is_public = True

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        if create and extracted:
            self.languages.set(extracted)


class TrainingRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingRecord

    officer = factory.SubFactory(OfficerProfileFactory)
    course = "De-escalation"
    completed_on = factory.Faker("date_this_decade")
