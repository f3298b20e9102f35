"""A property over generated postings: the JobPosting JSON-LD is there exactly when the
posting takes applications, and then it is always valid and always survives its `<script>`.
No database: the builder reads only the posting in hand."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from recruitment.careers import structured_data
from recruitment.models import Posting
from tests.recruitment.careers.job_posting_schema import assert_valid_job_posting, ld_json_blocks

COUNTRIES = ["RS", "BA", "HR", "ME", "SI", "DE", "US"]
CURRENCIES = ["EUR", "BAM", "RSD", "USD", "CHF"]
# Text that tries to end the script, open a comment or smuggle markup, and plain letters.
TEXT = (
    st.lists(
        st.sampled_from([*"aZš Ћ&<>/!-'\"\\\n", "</script>", "</SCRIPT ", "<!--", "\u2028"]),
        min_size=1,
        max_size=20,
    )
    .map("".join)
    .filter(str.strip)
)


@st.composite
def salaries(draw: st.DrawFn) -> dict[str, Any]:
    amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999"), places=2)
    low, high = draw(st.one_of(st.none(), amounts)), draw(st.one_of(st.none(), amounts))
    if low is None and high is None:
        return {}
    if low is not None and high is not None and low > high:
        low, high = high, low
    return {
        "salary_min": low,
        "salary_max": high,
        "salary_currency": draw(st.sampled_from(CURRENCIES)),
        "salary_period": draw(st.sampled_from(Posting.SalaryPeriod.values)),
    }


@st.composite
def postings(draw: st.DrawFn) -> Posting:
    now = timezone.now()
    status = draw(st.sampled_from(Posting.Status.values))
    workplace = draw(st.sampled_from(Posting.Workplace.values))
    countries = draw(st.lists(st.sampled_from(COUNTRIES), unique=True, max_size=3))
    if workplace == Posting.Workplace.REMOTE and not countries:
        countries = ["RS"]
    if workplace == Posting.Workplace.ON_SITE:
        countries = []
    closes_in = draw(st.one_of(st.none(), st.integers(min_value=-30 * 24, max_value=60 * 24)))
    posting = Posting(
        pk=draw(st.integers(min_value=1, max_value=10**6)),
        title=draw(TEXT),
        slug="a-posting",
        summary="Summary",
        description=draw(TEXT),
        location=draw(TEXT),
        employment_type=draw(st.sampled_from(Posting.EmploymentType.values)),
        status=status,
        published_at=None if status == Posting.Status.DRAFT else now - timedelta(days=40),
        concluded_at=draw(st.sampled_from([None, now])),
        workplace=workplace,
        country=draw(st.sampled_from(["", *COUNTRIES])),
        remote_countries=countries,
        valid_through=None if closes_in is None else now + timedelta(hours=closes_in, minutes=1),
        **draw(salaries()),
    )
    posting.full_clean(exclude=["slug"], validate_unique=False, validate_constraints=False)
    return posting


@settings(max_examples=200, deadline=None)
@given(posting=postings())
def test_json_ld_is_present_exactly_for_postings_taking_applications_and_always_valid(
    posting: Posting,
) -> None:
    data = structured_data.job_posting(posting)

    assert (data is not None) == posting.accepts_applications
    payload = structured_data.as_json(data)
    if data is None:
        assert payload is None
        return
    assert_valid_job_posting(data)
    # Whatever the texts hold, the page's parser finds one script with exactly this data.
    script = f'<script type="application/ld+json" nonce="n">{payload}</script>'
    assert ld_json_blocks(f"<p>{script}</p><p>after</p>") == [data]
    assert data["title"] == posting.title
    assert ("baseSalary" in data) == (posting.salary_currency != "")
    assert ("jobLocation" in data) == (posting.workplace != Posting.Workplace.REMOTE)
