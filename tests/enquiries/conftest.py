"""Personas of the enquiries app: agents of one topic and of another, a supervisor; and a ticket maker."""

import pytest
from django.contrib.auth.models import Group, Permission

from enquiries.models import Topic
from tests.factories import UserFactory


def _worker(*, email: str, group: str, topics: list[str]):
    user = UserFactory(email=email, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    # Agents read files to answer about them: the staff basis of applications.access.
    user.user_permissions.add(Permission.objects.get(codename="view_application"))
    for code in topics:
        Topic.objects.get(code=code).agents.add(user)
    return user


@pytest.fixture
def status_topic(db):
    return Topic.objects.get(code="status")


@pytest.fixture
def technical_topic(db):
    return Topic.objects.get(code="technical")


@pytest.fixture
def agent(db):
    """Works the status and document queues."""
    return _worker(email="status.agent@example.com", group="Agent", topics=["status", "document"])


@pytest.fixture
def other_agent(db):
    """Works only the technical queue."""
    return _worker(email="tech.agent@example.com", group="Agent", topics=["technical"])


@pytest.fixture
def supervisor(db):
    return _worker(email="supervisor@example.com", group="Supervisor", topics=[])
