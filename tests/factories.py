"""Factories for synthetic people, places and case files.

Every name and free-text field carries a unique marker (``MK`` and a number) so a test can prove
that one team's data never appears on another team's pages, in logs or in task messages.
"""

from __future__ import annotations

import datetime
import itertools

import factory

from organisation.models import CaseFile, CaseType, DutyAssignment, Role, RoleAssignment, ServiceArea, Team, User

_markers = itertools.count(1)
EPOCH = datetime.date(2020, 1, 1)


def marker() -> str:
    """A string that appears nowhere else in the test database."""
    return f"MK{next(_markers):05d}X"


class ServiceAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceArea
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"area-{n}")
    name = factory.LazyFunction(lambda: f"Service area {marker()}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"team-{n}")
    name = factory.LazyFunction(lambda: f"Team {marker()}")
    service_area = factory.SubFactory(ServiceAreaFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.LazyFunction(lambda: f"Person {marker()}")
    job_title = factory.LazyFunction(lambda: f"Job {marker()}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    person = factory.SubFactory(UserFactory)
    role = Role.PRACTITIONER
    starts_on = EPOCH
    note = factory.LazyFunction(lambda: f"Note {marker()}")


class DutyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DutyAssignment

    person = factory.SubFactory(UserFactory)
    duty = "auditor"
    starts_on = EPOCH


class CaseFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseFile

    case_reference = factory.Sequence(lambda n: f"CF{n:06d}")
    child_initials = "AB"
    birth_year = 2015
    case_type = CaseType.CHILD_IN_NEED
    legal_status = factory.LazyFunction(lambda: f"Status {marker()}")
    team = factory.SubFactory(TeamFactory)
    family_reference = factory.LazyFunction(lambda: f"FAM{marker()}")
    opened_on = datetime.date(2024, 1, 10)


def person_with_role(
    role: str,
    *,
    team: Team | None = None,
    area: ServiceArea | None = None,
    email: str | None = None,
    duties: tuple[str, ...] = (),
    starts_on: datetime.date = EPOCH,
    ends_on: datetime.date | None = None,
    **user_fields: object,
) -> User:
    user = UserFactory(**({"email": email} if email else {}), **user_fields)
    RoleAssignmentFactory(person=user, role=role, team=team, service_area=area, starts_on=starts_on, ends_on=ends_on)
    for duty in duties:
        DutyFactory(person=user, duty=duty)
    return user
