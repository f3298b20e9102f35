"""Data-subject requests (PRIVACY.md P14, P16): the deadline, extensions, staff reminders and
the privacy officer's pages."""

import re
from datetime import datetime, time, timedelta
from email.message import Message
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from ats.dates import end_of_local_day, local_days_after
from notifications import services as outbox
from notifications.models import OutboundEmail
from recruitment.access import Actor
from recruitment.models import AccessEvent, Application, Candidate, DataSubjectRequest
from recruitment.rights import tasks
from recruitment.rights.services import register, requests
from recruitment.rights.services.register import RequestRefused
from tests.factories import ApplicationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

Action = AccessEvent.Action
Status = DataSubjectRequest.Status
QUEUE = reverse("staff:requests")
NEW = reverse("staff:request_new")
OFFICER_ADDRESSES = ["dpo@example.com", "privacy.team@example.com"]


# --- Given ------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _officer_addresses(settings: Any) -> None:
    settings.PRIVACY_OFFICER_EMAILS = OFFICER_ADDRESSES
    settings.PRIVACY_REQUEST_DEADLINE_DAYS = 30
    settings.PRIVACY_REQUEST_EXTENSION_DAYS = 60
    settings.PRIVACY_REQUEST_REMINDER_DAYS = 7


def candidate(*, language: str = "en", email: str | None = None) -> Candidate:
    application = ApplicationFactory.create(
        language=language, **({"candidate__email": email} if email else {})
    )
    return application.candidate


def local_noon(days_ago: int) -> datetime:
    """Noon, local time, `days_ago` days ago: far from midnight, so day counts are exact."""
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(12)))


def received(days_ago: int, *, kind: str = "access", who: Candidate | None = None) -> Any:
    return register.record_request(
        candidate=who or candidate(),
        kind=kind,
        channel="email",
        details="Please send me everything you hold.",
        received_at=local_noon(days_ago),
    )


def officer_actor(officer: Any) -> Actor:
    return Actor(user=officer, client_ip="192.0.2.10")


def emails(template: str) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(template=template).order_by("to_address"))


def plain_text(message: Message) -> str:
    part = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def notices_sent(*, at: datetime | None = None) -> tuple[int, int]:
    """Marks every extension notice sent (`at`, default now) and settles the extensions:
    the outbox's delivery itself is tested for real in test_the_extension_notice_reaches..."""
    OutboundEmail.objects.filter(template="rights/emails/request_extended").update(
        status=OutboundEmail.Status.SENT, sent_at=at or timezone.now()
    )
    return requests.settle_extensions()


def reload(request: DataSubjectRequest) -> DataSubjectRequest:
    return DataSubjectRequest.objects.get(pk=request.pk)


def detail_url(request: DataSubjectRequest) -> str:
    return reverse("staff:request", kwargs={"pk": request.pk})


def action_url(name: str, request: DataSubjectRequest) -> str:
    return reverse(f"staff:request_{name}", kwargs={"pk": request.pk})


# --- The deadline -------------------------------------------------------------------------------


def test_a_request_received_in_the_past_is_due_thirty_days_after_it_arrived() -> None:
    arrived = local_noon(12) + timedelta(minutes=17)

    request = register.record_request(
        candidate=candidate(), kind="erasure", channel="email", received_at=arrived
    )

    assert request.status == Status.OPEN
    assert request.received_at == arrived
    # The end of the local day 30 days after the local day it arrived.
    last_day = timezone.localdate(arrived) + timedelta(days=30)
    assert request.original_due_at == request.due_at == end_of_local_day(last_day)
    assert register.days_left(request, now=arrived) == 30
    assert register.days_left(request, now=arrived + timedelta(days=31)) == -1


def test_a_request_from_the_portal_is_received_now_and_not_audited() -> None:
    before = timezone.now()

    request = register.record_request(candidate=candidate(), kind="objection", channel="portal")

    assert before <= request.received_at <= timezone.now()
    assert request.due_at == local_days_after(request.received_at, 30)
    assert not AccessEvent.objects.exists()


def test_a_request_cannot_be_received_in_the_future() -> None:
    with pytest.raises(RequestRefused):
        register.record_request(
            candidate=candidate(),
            kind="access",
            channel="email",
            received_at=timezone.now() + timedelta(hours=1),
        )
    assert not DataSubjectRequest.objects.exists()


def test_a_self_service_action_is_recorded_resolved_at_once() -> None:
    now = local_noon(3)

    request = register.record_self_service(
        candidate=candidate(), kind="rectification", resolution="Corrected the phone.", now=now
    )

    assert request.channel == DataSubjectRequest.Channel.PORTAL
    assert request.status == Status.RESOLVED
    assert request.received_at == request.resolved_at == now
    assert request.due_at == local_days_after(now, 30)
    assert request.resolution == "Corrected the phone."


# --- Extensions ---------------------------------------------------------------------------------


def test_an_extension_moves_the_due_date_once_the_candidate_is_told_in_their_language(
    officer: Any,
) -> None:
    person = candidate(language="en")
    Application.objects.filter(candidate=person).update(
        created_at=timezone.now() - timedelta(days=90)
    )
    # The latest application was made in Croatian: every email to them is in Croatian.
    ApplicationFactory.create(candidate=person, language="hr")
    request = received(10, who=person)
    now = local_noon(1)

    extended = requests.extend_request(
        request=request,
        days=45,
        reason="We must gather records from three offices.",
        actor=officer_actor(officer),
        now=now,
    )

    # Pending until the candidate has been told: the first due date stands meanwhile.
    assert extended.due_at == request.original_due_at
    assert extended.pending_due_at == local_days_after(request.original_due_at, 45)
    assert extended.extended_at is None
    assert extended.extension_reason == "We must gather records from three offices."
    [notice] = emails("rights/emails/request_extended")
    assert extended.extension_notice_id == notice.pk
    assert requests.settle_extensions() == (0, 0)  # not sent yet: still pending
    sent_at = local_noon(0)
    assert notices_sent(at=sent_at) == (1, 0)
    extended = reload(request)
    assert extended.due_at == local_days_after(request.original_due_at, 45)
    assert extended.pending_due_at is None and extended.extension_notice_id is None
    assert reload(request).original_due_at == request.original_due_at
    assert extended.extended_at == sent_at
    assert notice.to_address == person.email
    assert notice.language == "hr"
    assert notice.subject_ref == person.pk  # erased with the candidate
    with translation.override("hr"):
        new_date = date_format(timezone.localtime(extended.due_at), "DATE_FORMAT")
    assert new_date in notice.body_text and new_date in notice.subject
    assert "We must gather records from three offices." in notice.body_text
    assert settings.SUPERVISORY_AUTHORITY["name"] in notice.body_text
    assert settings.SUPERVISORY_AUTHORITY["url"] in notice.body_html
    assert AccessEvent.objects.filter(
        action=Action.EXTEND_REQUEST, request_id=request.pk, actor=officer
    ).exists()


def test_the_extension_notice_reaches_the_candidate(
    officer: Any, smtp_mailbox: Any, unique_email: Any
) -> None:
    address = unique_email()
    request = received(5, who=candidate(email=address))
    requests.extend_request(
        request=request, days=10, reason="Archive in storage.", actor=officer_actor(officer)
    )

    for email in emails("rights/emails/request_extended"):
        outbox.deliver_email(email_id=email.pk)

    [message] = smtp_mailbox.wait_for(address)
    text = plain_text(message)
    assert "Archive in storage." in text
    assert "supervisory authority" in text


def test_extensions_add_up_to_sixty_days_at_most(officer: Any) -> None:
    request = received(2)
    actor = officer_actor(officer)

    with pytest.raises(RequestRefused):
        requests.extend_request(request=request, days=61, reason="Long.", actor=actor)
    with pytest.raises(RequestRefused):
        requests.extend_request(request=request, days=0, reason="None.", actor=actor)
    requests.extend_request(request=request, days=40, reason="First.", actor=actor)
    with pytest.raises(RequestRefused, match="not been sent"):
        requests.extend_request(request=request, days=5, reason="Before the notice.", actor=actor)
    notices_sent()
    with pytest.raises(RequestRefused):
        requests.extend_request(request=request, days=21, reason="Too far.", actor=actor)
    requests.extend_request(request=request, days=20, reason="Second.", actor=actor)
    notices_sent()

    request = reload(request)
    assert request.due_at == local_days_after(request.original_due_at, 60)
    assert request.extension_reason == "First.\n\nSecond."
    assert len(emails("rights/emails/request_extended")) == 2
    assert requests.extension_refusal(request, now=timezone.now()) is not None


def test_an_extension_needs_a_reason(officer: Any) -> None:
    request = received(2)

    with pytest.raises(RequestRefused):
        requests.extend_request(
            request=request, days=10, reason="  \n ", actor=officer_actor(officer)
        )

    assert reload(request).due_at == request.original_due_at
    assert reload(request).extended_at is None
    assert not emails("rights/emails/request_extended")


def test_an_extension_after_the_first_due_date_is_refused(officer: Any) -> None:
    request = received(2)
    actor = officer_actor(officer)

    with pytest.raises(RequestRefused, match="before the first due date"):
        requests.extend_request(
            request=request,
            days=10,
            reason="Too late.",
            actor=actor,
            now=request.original_due_at + timedelta(minutes=1),
        )
    assert reload(request).due_at == request.original_due_at
    assert not emails("rights/emails/request_extended")

    requests.extend_request(
        request=request,
        days=10,
        reason="Just in time.",
        actor=actor,
        now=request.original_due_at - timedelta(minutes=1),
    )
    notices_sent(at=request.original_due_at - timedelta(seconds=30))
    assert reload(request).due_at == local_days_after(request.original_due_at, 10)


def test_only_an_open_request_can_be_extended(officer: Any) -> None:
    request = received(2)
    actor = officer_actor(officer)
    requests.resolve_request(request=request, resolution="Sent the export.", actor=actor)

    with pytest.raises(RequestRefused):
        requests.extend_request(request=request, days=10, reason="Why not.", actor=actor)

    assert reload(request).due_at == request.original_due_at
    assert not emails("rights/emails/request_extended")


def test_resolving_closes_the_request_once_and_refusing_is_recorded(officer: Any) -> None:
    actor = officer_actor(officer)
    kept, refused = received(2), received(3)

    requests.resolve_request(request=kept, resolution="Export sent.", actor=actor)
    requests.resolve_request(
        request=refused, resolution="Manifestly unfounded.", actor=actor, refused=True
    )
    with pytest.raises(RequestRefused):
        requests.resolve_request(request=kept, resolution="Again.", actor=actor)
    with pytest.raises(RequestRefused):
        requests.resolve_request(request=received(1), resolution=" ", actor=actor)

    kept, refused = reload(kept), reload(refused)
    assert (kept.status, kept.resolution) == (Status.RESOLVED, "Export sent.")
    assert refused.status == Status.REFUSED
    assert kept.resolved_at is not None and kept.handler == officer
    assert AccessEvent.objects.filter(action=Action.RESOLVE_REQUEST).count() == 1
    assert AccessEvent.objects.filter(action=Action.REFUSE_REQUEST).count() == 1


def test_taking_on_a_request_twice_changes_it_once(officer: Any) -> None:
    request = received(2)

    requests.assign_request(request=request, actor=officer_actor(officer))
    requests.assign_request(request=request, actor=officer_actor(officer))

    assert reload(request).handler == officer
    assert AccessEvent.objects.filter(action=Action.ASSIGN_REQUEST).count() == 1


# --- Staff reminders and overdue alerts ---------------------------------------------------------


def test_a_reminder_goes_out_seven_days_before_the_due_date_and_only_once() -> None:
    request = received(10)
    due = request.due_at

    assert requests.send_request_reminders(now=due - timedelta(days=8)) == (0, 0)
    assert requests.send_request_reminders(now=due - timedelta(days=7)) == (1, 0)
    assert requests.send_request_reminders(now=due - timedelta(days=7)) == (0, 0)
    assert requests.send_request_reminders(now=due - timedelta(days=3)) == (0, 0)

    reminders = emails("rights/emails/request_reminder")
    assert [email.to_address for email in reminders] == sorted(OFFICER_ADDRESSES)
    assert str(request.pk) in reminders[0].body_text
    assert "7 days left" in reminders[0].body_text
    assert reload(request).reminder_sent_at == due - timedelta(days=7)


def test_a_resolved_request_gets_no_reminder_and_no_alert(officer: Any) -> None:
    request = received(25)
    requests.resolve_request(request=request, resolution="Done.", actor=officer_actor(officer))

    assert requests.send_request_reminders(now=request.due_at - timedelta(days=2)) == (0, 0)
    assert requests.send_request_reminders(now=request.due_at + timedelta(days=2)) == (0, 0)
    assert not OutboundEmail.objects.exists()


def test_an_overdue_request_raises_one_alert() -> None:
    reminded = received(10)
    assert requests.send_request_reminders(now=reminded.due_at - timedelta(days=1)) == (1, 0)
    # Entered after its due date: the alert comes alone, never a reminder.
    late = received(40)
    overdue = reminded.due_at + timedelta(days=1)

    assert requests.send_request_reminders(now=overdue) == (0, 2)
    assert requests.send_request_reminders(now=overdue + timedelta(days=5)) == (0, 0)

    alerts = emails("rights/emails/request_overdue")
    assert len(alerts) == len(OFFICER_ADDRESSES)
    assert str(reminded.pk) in alerts[0].body_text and str(late.pk) in alerts[0].body_text
    assert reload(reminded).overdue_alert_sent_at == overdue
    assert reload(late).reminder_sent_at is None
    assert len(emails("rights/emails/request_reminder")) == len(OFFICER_ADDRESSES)


def test_an_extension_makes_a_new_reminder_due_before_the_new_date(officer: Any) -> None:
    request = received(25)
    assert requests.send_request_reminders(now=timezone.now()) == (1, 0)

    requests.extend_request(
        request=request, days=30, reason="Complex.", actor=officer_actor(officer)
    )
    notices_sent()

    assert requests.send_request_reminders(now=timezone.now()) == (0, 0)
    new_due = reload(request).due_at
    assert requests.send_request_reminders(now=new_due - timedelta(days=7)) == (1, 0)


def test_staff_reminders_hold_no_candidate_name_or_address() -> None:
    person = candidate(email="ivana.horvat@example.com")
    Candidate.objects.filter(pk=person.pk).update(full_name="Ivana Horvat")
    request = received(24, who=person)

    requests.send_request_reminders(now=timezone.now())
    requests.send_request_reminders(now=request.due_at + timedelta(days=1))

    staff_emails = emails("rights/emails/request_reminder") + emails(
        "rights/emails/request_overdue"
    )
    assert len(staff_emails) == 2 * len(OFFICER_ADDRESSES)
    for email in staff_emails:
        text = f"{email.subject}\n{email.body_text}\n{email.body_html}".lower()
        for personal in ("ivana", "horvat", "please send me everything"):
            assert personal not in text
        assert email.subject_ref is None
        assert str(request.pk) in email.body_text
        assert detail_url(request) in email.body_text


def test_beat_runs_the_request_reminder_task_daily() -> None:
    assert settings.CELERY_BEAT_SCHEDULE["recruitment.send_request_reminders"]["task"] == (
        tasks.send_request_reminders.name
    )
    received(24)
    received(40)

    assert tasks.send_request_reminders() == {"reminded": 1, "alerted": 1}
    assert tasks.send_request_reminders() == {"reminded": 0, "alerted": 0}


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(60)
def test_a_real_worker_delivers_the_reminder_to_the_privacy_officer(
    celery_worker: None, smtp_mailbox: Any, unique_email: Any, settings: Any
) -> None:
    address = unique_email("dpo")
    settings.PRIVACY_OFFICER_EMAILS = [address]
    request = received(25)

    tasks.send_request_reminders.delay()

    [message] = smtp_mailbox.wait_for(address)
    assert "due within 7 days" in " ".join(str(message["Subject"]).split())
    assert str(request.pk) in plain_text(message)


# --- The staff pages ----------------------------------------------------------------------------


def row_of(content: str, request: DataSubjectRequest) -> str:
    [row] = [row for row in content.split("<tr") if str(request.pk) in row]
    return row


def test_the_queue_lists_open_requests_by_due_date_with_the_days_left(
    officer_client: Client, officer: Any
) -> None:
    later, overdue, soon = received(10), received(32), received(25)
    closed = received(31)
    requests.resolve_request(request=closed, resolution="Done.", actor=officer_actor(officer))

    content = officer_client.get(QUEUE).content.decode()

    positions = [content.index(str(request.pk)) for request in (overdue, soon, later)]
    assert positions == sorted(positions)
    assert str(closed.pk) not in content
    assert 'data-days-left="-2"' in row_of(content, overdue)
    assert 'class="overdue"' in row_of(content, overdue)
    assert 'data-days-left="5"' in row_of(content, soon)
    assert 'data-days-left="20"' in row_of(content, later)
    assert 'class="overdue"' not in row_of(content, later)
    # By id only: the queue names nobody.
    assert overdue.candidate.full_name not in content


def test_the_queue_filters_by_status_and_kind_and_shows_when_a_request_was_closed(
    officer_client: Client, officer: Any
) -> None:
    erasure, access = received(3, kind="erasure"), received(3, kind="access")
    requests.resolve_request(request=erasure, resolution="Erased.", actor=officer_actor(officer))

    resolved = officer_client.get(QUEUE, {"status": "resolved"}).content.decode()
    open_access = officer_client.get(QUEUE, {"kind": "access"}).content.decode()
    everything = officer_client.get(QUEUE, {"status": "all"}).content.decode()

    assert str(erasure.pk) in resolved and str(access.pk) not in resolved
    resolved_at = reload(erasure).resolved_at
    assert resolved_at is not None
    assert f'datetime="{timezone.localtime(resolved_at).isoformat()}"' in row_of(resolved, erasure)
    assert str(access.pk) in open_access and str(erasure.pk) not in open_access
    assert str(access.pk) in everything and str(erasure.pk) in everything


def test_entering_a_request_finds_the_candidate_by_email_in_any_case(
    officer_client: Client, officer: Any
) -> None:
    person = candidate(email="marta.kovac@example.com")
    day = timezone.localdate() - timedelta(days=4)

    response = officer_client.post(
        NEW,
        {
            "email": "  Marta.Kovac@EXAMPLE.com ",
            "kind": "erasure",
            "channel": "email",
            "received_on": day.isoformat(),
            "details": "Delete my data, please.",
        },
    )

    request = DataSubjectRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(request)
    assert request.candidate == person
    assert request.kind == "erasure"
    assert timezone.localdate(request.received_at) == day
    assert request.due_at == local_days_after(request.received_at, 30)
    assert AccessEvent.objects.filter(action=Action.RECORD_REQUEST, request_id=request.pk).exists()


def test_an_unknown_email_address_is_a_form_error_and_records_nothing(
    officer_client: Client,
) -> None:
    candidate(email="known@example.com")

    response = officer_client.post(
        NEW,
        {
            "email": "unknown@example.com",
            "kind": "access",
            "channel": "email",
            "received_on": timezone.localdate().isoformat(),
        },
    )

    assert response.status_code == 200
    assert "No candidate has applied with this email address" in response.content.decode()
    assert not DataSubjectRequest.objects.exists()
    assert not AccessEvent.objects.exists()


def test_a_future_received_date_is_a_form_error(officer_client: Client) -> None:
    candidate(email="future@example.com")

    response = officer_client.post(
        NEW,
        {
            "email": "future@example.com",
            "kind": "access",
            "channel": "email",
            "received_on": (timezone.localdate() + timedelta(days=1)).isoformat(),
        },
    )

    assert response.status_code == 200
    assert not DataSubjectRequest.objects.exists()


def test_the_request_page_shows_the_candidate_and_audits_the_view(
    officer_client: Client, officer: Any
) -> None:
    request = received(3)
    person = request.candidate

    content = officer_client.get(detail_url(request)).content.decode()

    assert person.full_name in content and person.email in content
    assert "Please send me everything you hold." in content
    [application] = person.applications.all()
    assert str(application.pk) in content
    # A privacy officer is on no posting's team: no link to a page they cannot open (the
    # export page's link, which they may open, starts with the same path).
    assert f'href="{reverse("staff:application", kwargs={"pk": application.pk})}"' not in content
    assert AccessEvent.objects.filter(
        action=Action.VIEW_REQUEST, request_id=request.pk, actor=officer
    ).exists()


def test_an_admin_sees_links_to_the_candidates_applications(client: Client) -> None:
    request = received(3)
    client.force_login(UserFactory.create(is_superuser=True))
    [application] = request.candidate.applications.all()

    content = client.get(detail_url(request)).content.decode()

    assert reverse("staff:application", kwargs={"pk": application.pk}) in content


def test_assign_extend_and_resolve_from_the_page(officer_client: Client, officer: Any) -> None:
    request = received(3)

    assert officer_client.post(action_url("assign", request)).status_code == 302
    response = officer_client.post(
        action_url("extend", request), {"days": "14", "reason": "Backups to search."}
    )
    assert response.status_code == 302
    notices_sent()
    response = officer_client.post(
        action_url("resolve", request), {"resolution": "Answered.", "outcome": "refused"}
    )
    assert response.status_code == 302

    request = reload(request)
    assert request.handler == officer
    assert request.due_at == local_days_after(request.original_due_at, 14)
    assert request.status == Status.REFUSED
    actions = set(
        AccessEvent.objects.filter(request_id=request.pk).values_list("action", flat=True)
    )
    assert {Action.ASSIGN_REQUEST, Action.EXTEND_REQUEST, Action.REFUSE_REQUEST} <= actions
    page = officer_client.get(detail_url(request)).content.decode()
    assert "Backups to search." in page and "Answered." in page


def test_the_page_says_why_an_extension_is_refused(officer_client: Client) -> None:
    late = received(31)
    fresh = received(1)

    late_page = officer_client.get(detail_url(late)).content.decode()
    response = officer_client.post(
        action_url("extend", fresh), {"days": "61", "reason": "Far too long."}
    )
    blank = officer_client.post(action_url("extend", fresh), {"days": "5", "reason": " "})

    assert "before the first due date" in late_page
    assert action_url("extend", late) not in late_page
    assert response.status_code == 200 and blank.status_code == 200
    assert "Give the reason for the extension" in blank.content.decode()
    assert "less than or equal to 60" in response.content.decode()
    assert reload(fresh).due_at == fresh.original_due_at
    assert not emails("rights/emails/request_extended")


def test_a_change_the_service_refuses_is_explained_on_the_page(
    officer_client: Client, officer: Any
) -> None:
    request = received(3)
    requests.extend_request(request=request, days=40, reason="First.", actor=officer_actor(officer))
    notices_sent()

    response = officer_client.post(
        action_url("extend", request), {"days": "30", "reason": "Second."}, follow=True
    )

    assert response.redirect_chain == [(detail_url(request), 302)]
    assert "The due date can be moved by 1 to 20 more days." in response.content.decode()
    assert reload(request).due_at == local_days_after(request.original_due_at, 40)
    requests.resolve_request(request=request, resolution="Done.", actor=officer_actor(officer))
    again = officer_client.post(
        action_url("resolve", request), {"resolution": "Again.", "outcome": "resolved"}, follow=True
    )
    assert "This request is already closed." in again.content.decode()
    assert reload(request).resolution == "Done."


def test_the_staff_navigation_links_to_requests_with_the_count_due_soon(
    officer_client: Client, client: Client
) -> None:
    received(25)
    received(28)
    received(2)
    recruiter = UserFactory.create()

    officer_page = officer_client.get(reverse("staff:home")).content.decode()
    client.force_login(recruiter)
    recruiter_page = client.get(reverse("staff:home")).content.decode()

    link = re.search(rf'<a href="{QUEUE}">.*?</a>', officer_page, re.S)
    assert link is not None
    assert '<span class="badge overdue"' in link.group(0) and ">2</span>" in link.group(0)
    assert f'href="{QUEUE}"' not in recruiter_page


@pytest.mark.parametrize("role", ["recruiter", "hiring_manager", "interviewer"])
def test_posting_roles_get_404_on_every_request_page(client: Client, role: str) -> None:
    request = received(3)
    [application] = request.candidate.applications.all()
    member = MembershipFactory.create(posting=application.posting, role=role).user
    application.assignments.create(interviewer=member)
    client.force_login(member)

    assert client.get(QUEUE).status_code == 404
    assert client.get(NEW).status_code == 404
    assert client.get(detail_url(request)).status_code == 404
    for name, data in (
        ("assign", {}),
        ("extend", {"days": "5", "reason": "x"}),
        ("resolve", {"resolution": "x", "outcome": "resolved"}),
    ):
        assert client.post(action_url(name, request), data).status_code == 404
    request = reload(request)
    assert (request.status, request.handler, request.due_at) == (
        Status.OPEN,
        None,
        request.original_due_at,
    )


def test_a_post_without_a_csrf_token_is_rejected(officer: Any) -> None:
    request = received(3)
    person = candidate(email="csrf@example.com")
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)

    resolve = client.post(
        action_url("resolve", request), {"resolution": "x", "outcome": "resolved"}
    )
    extend = client.post(action_url("extend", request), {"days": "5", "reason": "x"})
    assign = client.post(action_url("assign", request))
    new = client.post(
        NEW,
        {
            "email": person.email,
            "kind": "access",
            "channel": "email",
            "received_on": timezone.localdate().isoformat(),
        },
    )

    assert [resolve.status_code, extend.status_code, assign.status_code, new.status_code] == [
        403
    ] * 4
    assert reload(request).status == Status.OPEN
    assert DataSubjectRequest.objects.filter(candidate=person).count() == 0
