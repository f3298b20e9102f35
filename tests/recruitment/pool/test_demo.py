"""The demo's talent pool: consented people are found by a skill inside their CV (one CV
in Cyrillic), and the one who never consented is found by no query."""

from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from recruitment.models import Candidate
from recruitment.pool.selectors import PoolFilters, search_pool


def names(query: str) -> set[str]:
    page = search_pool(PoolFilters(query=query), now=timezone.now())
    return {person.candidate.full_name for person in page.object_list}


@pytest.mark.django_db
def test_the_demo_pool_finds_consented_people_by_their_skills_and_never_the_others(
    settings: Any,
) -> None:
    settings.DEMO_MODE = True
    call_command("seed_demo", verbosity=0)

    assert names("kubernetes") == {"Vesna Radić", "Ђорђе Стојановић"}
    assert names("monitoring") == {"Ђорђе Стојановић"}
    assert names("erlang") == {"Haris Mujić"}
    outsider = Candidate.objects.get(email="tea.noconsent@example.com")
    for query in ("", "kubernetes", "Tea", "Consenting", "tea.noconsent", "prometheus"):
        assert outsider.full_name not in names(query)
