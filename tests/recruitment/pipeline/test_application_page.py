"""One application in the workspace: detail, CV download, notes, interviewers, under-age."""

import io
import urllib.request
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from recruitment.cvs import storage
from recruitment.cvs.storage import content_disposition
from recruitment.models import (
    AccessEvent,
    Application,
    ApplicationEvent,
    InterviewNote,
    TeamMembership,
)
from tests.factories import (
    ApplicationFactory,
    CvFactory,
    MembershipFactory,
    NoteFactory,
    UserFactory,
)
from tests.hostile.pdf import valid_pdf
from tests.recruitment.pipeline.test_pipeline import add_applications, queries_for

pytestmark = pytest.mark.django_db
Role = TeamMembership.Role


@pytest.fixture
def application(posting: Any) -> Application:
    return ApplicationFactory.create(
        posting=posting,
        candidate__full_name="Milica Petrović",
        candidate__email="milica@example.com",
        cover_letter="<script>alert('x')</script> I like queues.",
    )


def detail_url(application: Application) -> str:
    return reverse("staff:application", kwargs={"pk": application.pk})


def test_the_page_shows_the_candidate_and_is_audited_and_never_cached(
    client: Client, application: Application, recruiter: Any
) -> None:
    NoteFactory.create(application=application, body="<b>bold claim</b>", author=recruiter)
    client.force_login(recruiter)

    response = client.get(detail_url(application))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Milica Petrović" in html and "milica@example.com" in html
    # Text written by candidates and staff is escaped, never rendered as markup.
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<b>bold claim</b>" not in html and "&lt;b&gt;bold claim&lt;/b&gt;" in html
    assert "no-store" in response["Cache-Control"]
    event = AccessEvent.objects.get(action=AccessEvent.Action.VIEW_APPLICATION)
    assert event.application_id == application.pk
    assert event.actor == recruiter
    assert event.actor_username == recruiter.username
    assert event.client_ip == "127.0.0.0"


def test_the_page_runs_the_same_number_of_queries_whatever_the_volume(
    client: Client, application: Application, recruiter: Any, posting: Any
) -> None:
    client.force_login(recruiter)
    ApplicationFactory.create_batch(9, posting=posting)
    NoteFactory.create(application=application)
    application.events.create(kind=ApplicationEvent.Kind.STAGE_CHANGED, to_stage="screening")
    at_10 = queries_for(client, detail_url(application))

    add_applications(posting, 990)
    NoteFactory.create_batch(40, application=application)
    for _ in range(40):
        application.events.create(kind=ApplicationEvent.Kind.STAGE_CHANGED, to_stage="screening")
    at_1000 = queries_for(client, detail_url(application))

    assert at_10 == at_1000
    assert at_1000 <= 20


def test_cv_download_is_audited_and_redirects_to_a_short_lived_attachment_link(
    client: Client, application: Application, recruiter: Any, settings: Any
) -> None:
    key = storage.put_cv(
        io.BytesIO(valid_pdf()), content_type="application/pdf", filename="Milica CV ž.pdf"
    )
    cv = CvFactory.create(
        application=application, storage_key=key, original_filename="Milica CV ž.pdf"
    )
    client.force_login(recruiter)

    response = client.get(
        reverse("staff:cv_download", kwargs={"pk": application.pk, "cv_id": cv.pk})
    )

    assert response.status_code == 302
    assert response["Referrer-Policy"] == "no-referrer"
    link = urlsplit(response["Location"])
    assert f"{link.scheme}://{link.netloc}" == settings.S3_PUBLIC_ENDPOINT_URL
    query = parse_qs(link.query)
    assert int(query["X-Amz-Expires"][0]) <= 60
    # The filename is stored with the object: never in the object key, nor in the query.
    assert "response-content-disposition" not in query
    assert cv.storage_key in link.path and "Milica" not in response["Location"]
    assert (
        AccessEvent.objects.filter(
            action=AccessEvent.Action.DOWNLOAD_CV, application_id=application.pk
        ).count()
        == 1
    )

    with urllib.request.urlopen(response["Location"], timeout=10) as download:  # noqa: S310
        assert download.read() == valid_pdf()
        assert download.headers["Content-Disposition"] == content_disposition("Milica CV ž.pdf")
        assert download.headers["Content-Type"] == "application/pdf"


def test_content_disposition_has_an_ascii_fallback_and_the_exact_utf8_name() -> None:
    header = content_disposition('Ćirić "CV"\r\n.pdf')
    assert header.startswith('attachment; filename="_iri_ _CV___.pdf"; ')
    assert header.endswith("filename*=UTF-8''%C4%86iri%C4%87%20%22CV%22%0D%0A.pdf")


def test_a_cv_of_another_application_is_not_found(
    client: Client, application: Application, recruiter: Any
) -> None:
    foreign_cv = CvFactory.create()
    client.force_login(recruiter)
    url = reverse("staff:cv_download", kwargs={"pk": application.pk, "cv_id": foreign_cv.pk})
    assert client.get(url).status_code == 404
    url = reverse(
        "staff:cv_download", kwargs={"pk": foreign_cv.application_id, "cv_id": foreign_cv.pk}
    )
    assert client.get(url).status_code == 404
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.DOWNLOAD_CV).exists()


def test_an_assigned_interviewer_writes_a_scored_note(
    client: Client, application: Application, posting: Any
) -> None:
    interviewer = MembershipFactory.create(posting=posting, role=Role.INTERVIEWER).user
    application.assignments.create(interviewer=interviewer)
    client.force_login(interviewer)

    response = client.post(
        reverse("staff:note_add", kwargs={"pk": application.pk}),
        {"kind": "technical_interview", "body": "Solid.", "rating": "5", "scorecard": "SQL 5/5"},
    )

    assert response.status_code == 302
    note = InterviewNote.objects.get()
    assert (note.author, note.kind, note.rating, note.scorecard) == (
        interviewer,
        "technical_interview",
        5,
        "SQL 5/5",
    )
    assert AccessEvent.objects.filter(action=AccessEvent.Action.ADD_NOTE).count() == 1


def test_an_out_of_range_rating_is_refused(
    client: Client, application: Application, recruiter: Any
) -> None:
    client.force_login(recruiter)
    client.post(
        reverse("staff:note_add", kwargs={"pk": application.pk}),
        {"kind": "general", "body": "x", "rating": "9"},
    )
    assert not InterviewNote.objects.exists()


def test_only_the_author_or_an_admin_edits_or_deletes_a_note(
    client: Client, application: Application, recruiter: Any, posting: Any
) -> None:
    note = NoteFactory.create(application=application, author=recruiter, body="original")
    colleague = MembershipFactory.create(posting=posting, role=Role.HIRING_MANAGER).user
    edit = reverse("staff:note_edit", kwargs={"pk": note.pk})
    delete = reverse("staff:note_delete", kwargs={"pk": note.pk})

    client.force_login(colleague)
    assert client.post(edit, {"kind": "general", "body": "hijacked"}).status_code == 403
    assert client.post(delete).status_code == 403
    note.refresh_from_db()
    assert note.body == "original"

    client.force_login(recruiter)
    assert (
        client.post(edit, {"kind": "general", "body": "revised", "rating": "3"}).status_code == 302
    )
    note.refresh_from_db()
    assert (note.body, note.rating) == ("revised", 3)

    client.force_login(UserFactory.create(is_superuser=True))
    assert client.post(delete).status_code == 302
    assert not InterviewNote.objects.exists()
    actions = list(AccessEvent.objects.values_list("action", flat=True))
    assert AccessEvent.Action.EDIT_NOTE in actions and AccessEvent.Action.DELETE_NOTE in actions


def test_assigning_an_interviewer_gives_them_access_and_unassigning_takes_it_away(
    client: Client, application: Application, recruiter: Any, posting: Any
) -> None:
    interviewer = MembershipFactory.create(posting=posting, role=Role.INTERVIEWER).user
    client.force_login(recruiter)
    client.post(
        reverse("staff:application_assign", kwargs={"pk": application.pk}),
        {"interviewer": interviewer.pk},
    )
    interviewer_client = Client()
    interviewer_client.force_login(interviewer)
    assert interviewer_client.get(detail_url(application)).status_code == 200

    client.post(
        reverse(
            "staff:application_unassign",
            kwargs={"pk": application.pk, "user_id": interviewer.pk},
        )
    )
    assert interviewer_client.get(detail_url(application)).status_code == 404


def test_only_interviewers_of_the_team_can_be_assigned(
    client: Client, application: Application, recruiter: Any
) -> None:
    stranger = UserFactory.create()
    client.force_login(recruiter)
    client.post(
        reverse("staff:application_assign", kwargs={"pk": application.pk}),
        {"interviewer": stranger.pk},
    )
    assert not application.assignments.exists()
