"""Personas shared by every test: an applicant, another applicant, staff and an administrator."""

import pytest
from django.contrib.auth.models import Permission

from tests.factories import ApplicationFactory, UserFactory, link


@pytest.fixture
def applicant(db):
    return UserFactory(email="applicant@example.com")


@pytest.fixture
def applicant_application(applicant):
    application = ApplicationFactory()
    link(user=applicant, application=application)
    return application


@pytest.fixture
def other_applicant(db):
    return UserFactory(email="other@example.com")


@pytest.fixture
def other_application(other_applicant):
    application = ApplicationFactory()
    link(user=other_applicant, application=application)
    return application


@pytest.fixture
def staff_user(db):
    """A department employee allowed to read any application, not an administrator."""
    user = UserFactory(email="agent@example.com", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_application"))
    return user


@pytest.fixture
def admin_user(db):
    return UserFactory(email="admin@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin_client, signed in with the second step that staff pages require."""
    from tests.factories import sign_in_with_second_step

    sign_in_with_second_step(client, admin_user)
    return client


@pytest.fixture(autouse=True)
def english_by_default():
    """Start every test in English; reverse() otherwise follows the last request's language."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate-limit counters live in the cache; never let one test's count leak into another."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
