import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.factories import UserFactory


@pytest.fixture
def superuser() -> User:
    return UserFactory.create(is_superuser=True)


@pytest.fixture
def superuser_client(client: Client, superuser: User) -> Client:
    client.force_login(superuser)
    return client
