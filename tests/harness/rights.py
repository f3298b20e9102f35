"""Steps in the candidate's rights: opening the portal with an emailed token, and building
an export (released as it is when it goes to review) and reading what it holds."""

import io
import json
import zipfile
from typing import Any

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from recruitment.access import Actor
from recruitment.cvs import storage
from recruitment.models import Candidate, DataExport
from recruitment.rights.services import export_contents, exports
from tests.factories import UserFactory


def open_portal(client: Client, token: str, *, purpose: str = "access") -> None:
    response = client.get(f"/privacy/{purpose}/{token}/")
    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:continue")  # the token leaves the URL
    response = client.post(reverse("privacy:continue"))
    assert response.status_code == 302
    expected = reverse("privacy:portal") + ("#consent" if purpose == "renew" else "")
    assert response["Location"] == expected


def released_as_is(export: DataExport, officer_user: User | None = None) -> None:
    """A privacy officer (`officer_user`, else a new superuser) releases every passage of an
    export in review, unredacted, and then the export."""
    officer = Actor(user=officer_user or UserFactory.create(is_superuser=True))
    for passage in export_contents.passages_of(export.candidate_id):
        exports.review_passage(
            export_id=export.pk,
            source=passage.source,
            source_id=passage.source_id,
            redact=False,
            replacement="",
            actor=officer,
        )
    exports.release_reviewed_export(export_id=export.pk, actor=officer)


def built(candidate: Candidate, **kwargs: Any) -> DataExport:
    """Requests an export and builds it here (the broker message is never sent: the test's
    transaction never commits). One that goes to review is released as it is first."""
    export = exports.request_export(candidate=candidate, **kwargs)
    if export.status == DataExport.Status.IN_REVIEW:
        released_as_is(export)
    exports.build_export(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == DataExport.Status.READY
    return export


def archive_of(export: DataExport) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(storage.read_object(export.storage_key)))


def data_of(export: DataExport) -> dict[str, Any]:
    return dict(json.loads(archive_of(export).read("data.json")))
