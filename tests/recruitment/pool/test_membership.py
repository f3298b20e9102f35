"""Who is in the talent pool: exactly the people whose talent-pool consent is confirmed, in
force and covers their application, with no restriction and no open or upheld objection,
whatever is searched or filtered; and nobody once their consent lapses."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recruitment.models import Posting
from recruitment.pool.selectors import PoolFilters, pool_members, search_pool
from tests.factories import ApplicationFactory, PostingFactory
from tests.recruitment.pool.builders import (
    CONSENT_STATES,
    EXCLUDING_OBJECTIONS,
    IN_FORCE,
    OBJECTION_STATES,
    give,
    ids,
    person,
)

WORDS = ("kubernetes", "erlang", "python", "accounting")
people_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "consent": st.sampled_from(CONSENT_STATES),
            "restricted": st.booleans(),
            "objection": st.sampled_from(OBJECTION_STATES),
            "skills": st.sets(st.sampled_from(WORDS), max_size=3),
            "language": st.sampled_from(("en", "hr")),
            "expires_in_days": st.integers(min_value=1, max_value=60),
        }
    ),
    min_size=1,
    max_size=6,
)
queries = st.one_of(st.just(""), st.sampled_from(WORDS), st.just("Robert'); DROP TABLE --"))


def in_pool(p: dict) -> bool:
    return (
        p["consent"] in IN_FORCE
        and not p["restricted"]
        and p["objection"] not in (EXCLUDING_OBJECTIONS)
    )


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=people_strategy, query=queries, language=st.sampled_from(("", "en", "hr")))
def test_the_pool_shows_exactly_the_consenting_unrestricted_non_objecting_people(
    people: list[dict], query: str, language: str
) -> None:
    with transaction.atomic():
        now = timezone.now()
        posting = PostingFactory.create()
        made = [
            (
                p,
                person(
                    posting,
                    now=now,
                    cover_letter="I know " + " and ".join(sorted(p["skills"])),
                    consent=p["consent"],
                    restricted=p["restricted"],
                    objection=p["objection"],
                    language=p["language"],
                    expires_in=timedelta(days=p["expires_in_days"]),
                ),
            )
            for p in people
        ]
        expected = {
            application.candidate_id
            for p, application in made
            if in_pool(p)
            and (not query or query in p["skills"])
            and (not language or p["language"] == language)
        }

        found = search_pool(PoolFilters(query=query, language=language), now=now)

        assert ids(found.object_list) == expected
        assert found.paginator.count == len(expected)
        # A lapse (the clock moved past each consent's expiry) removes at once.
        for days in (30, 61):
            later = now + timedelta(days=days)
            still = {
                application.candidate_id
                for p, application in made
                if in_pool(p) and p["expires_in_days"] > days
            }
            assert set(pool_members(later).values_list("pk", flat=True)) == still
            assert ids(search_pool(PoolFilters(), now=later).object_list) == still
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_an_application_the_consent_does_not_cover_is_not_searched(posting: Posting) -> None:
    now = timezone.now()
    kept = person(posting, now=now, cover_letter="Accounting", consent="confirmed")
    other_posting = PostingFactory.create()
    uncovered = ApplicationFactory.create(
        candidate=kept.candidate, posting=other_posting, cover_letter="Kubernetes expert"
    )
    from recruitment.cvs.search_index import refresh_search_vectors
    from recruitment.models import Application

    refresh_search_vectors(Application.objects.filter(pk=uncovered.pk))

    assert ids(search_pool(PoolFilters(query="accounting"), now=now).object_list) == {
        kept.candidate_id
    }
    assert search_pool(PoolFilters(query="kubernetes"), now=now).paginator.count == 0
    # A consent given in the portal covers every application of the person.
    give(kept.candidate, kept, "portal", now=now)
    assert ids(search_pool(PoolFilters(query="kubernetes"), now=now).object_list) == {
        kept.candidate_id
    }


@pytest.mark.django_db
def test_a_restriction_on_any_application_of_the_person_takes_them_out(posting: Posting) -> None:
    now = timezone.now()
    member = person(posting, now=now, cover_letter="Erlang")
    ApplicationFactory.create(
        candidate=member.candidate, posting=PostingFactory.create(), restricted=True
    )

    assert search_pool(PoolFilters(), now=now).paginator.count == 0
