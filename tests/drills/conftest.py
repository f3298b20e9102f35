from typing import Any

import pytest

from recruitment.models import Posting, TeamMembership
from tests.factories import MembershipFactory


@pytest.fixture
def recruiter(posting: Posting) -> Any:
    return MembershipFactory(posting=posting, role=TeamMembership.Role.RECRUITER).user
