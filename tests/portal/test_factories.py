from allauth.mfa.adapter import get_adapter as get_mfa_adapter

from portal import roles
from tests.factories import AdministratorFactory, InvestigatorFactory, OfficerFactory, ResidentFactory, StaffFactory


def test_it_gives_each_role_factory_its_group_and_two_factor(db):
    assert roles.is_officer(OfficerFactory())
    assert roles.is_investigator(InvestigatorFactory())
    admin = AdministratorFactory()
    assert roles.is_administrator(admin)
    assert get_mfa_adapter().is_mfa_enabled(admin)


def test_it_makes_residents_without_a_role(db):
    resident = ResidentFactory()
    assert roles.roles_of(resident) == frozenset()
    assert not roles.is_staff_member(resident)


def test_it_can_make_staff_without_two_factor(db):
    officer = OfficerFactory(mfa=False)
    assert not get_mfa_adapter().is_mfa_enabled(officer)
    assert isinstance(StaffFactory(), object)
