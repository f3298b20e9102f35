"""CV and export objects on a versioned bucket (the suite's buckets are versioned, as
production S3 may be): every deletion erases every version, reconciliation finds what a
plain delete left behind, and download links carry no file name."""

import io
import urllib.request
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from recruitment.careers import services as applying
from recruitment.cvs import storage
from recruitment.models import (
    Application,
    CurriculumVitae,
    PortalToken,
    Posting,
    TeamMembership,
)
from recruitment.retention.services.reconciliation import reconcile_storage
from recruitment.rights.services import portal_access
from tests.factories import CvFactory, DataExportFactory, MembershipFactory
from tests.harness.applying import apply, apply_as
from tests.harness.rights import open_portal
from tests.hostile.pdf import valid_pdf

pytestmark = pytest.mark.django_db

PERSONAL_FILENAME = "Ana Kovačević CV.pdf"


def bucket() -> str:
    return storage._bucket()


def stored_versions(prefix: str = "") -> list[tuple[str, bool]]:
    """(key, is a delete marker) of every version and delete marker in the bucket, straight
    from the store."""
    found: list[tuple[str, bool]] = []
    pages = storage._client().get_paginator("list_object_versions").paginate(Bucket=bucket())
    for page in pages:
        found += [(item["Key"], False) for item in page.get("Versions", [])]
        found += [(item["Key"], True) for item in page.get("DeleteMarkers", [])]
    return sorted(entry for entry in found if entry[0].startswith(prefix))


def versions_of(key: str) -> list[tuple[str, bool]]:
    return [entry for entry in stored_versions(key) if entry[0] == key]


# --- Every deletion erases every version --------------------------------------------------------


def test_replacing_a_cv_in_the_portal_leaves_no_version_of_the_old_one(
    client: Client, posting: Posting
) -> None:
    applied = apply_as(posting, f"Versioned Person {uuid.uuid4().hex[:8]}")
    old_key = applied.cvs.get().storage_key
    open_portal(
        client,
        portal_access.issue_token(candidate=applied.candidate, purpose=PortalToken.Purpose.ACCESS),
    )
    upload = io.BytesIO(valid_pdf())
    upload.name = "new-cv.pdf"

    response = client.post(reverse("privacy:replace_cv", args=[applied.pk]), {"cv": upload})

    assert response.status_code == 302
    new_key = applied.cvs.get().storage_key
    assert new_key != old_key
    assert versions_of(old_key) == [], "no noncurrent version, no delete marker"
    assert versions_of(new_key) == [(new_key, False)]


def test_a_failed_application_leaves_no_version_of_its_upload(
    client: Client, posting: Posting, monkeypatch: pytest.MonkeyPatch
) -> None:
    uploaded: list[str] = []
    real_put = storage.put_cv

    def put_and_remember(*args: Any, **kwargs: Any) -> str:
        uploaded.append(real_put(*args, **kwargs))
        return uploaded[-1]

    def database_down(**kwargs: Any) -> Application:
        raise OperationalError("connection lost")

    monkeypatch.setattr(storage, "put_cv", put_and_remember)
    monkeypatch.setattr(applying, "_record_application", database_down)

    assert apply(client, posting).status_code == 503

    assert len(uploaded) == 1, "the CV reached storage before the database failed"
    assert stored_versions() == [], "the compensation erased every version"


def test_deleting_keys_erases_every_version_in_batches_and_only_those_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = storage._client()
    keys = [storage.new_cv_key() for _ in range(3)]
    for key in keys:
        for body in (b"first", b"second"):
            client.put_object(Bucket=bucket(), Key=key, Body=body)
    client.delete_object(Bucket=bucket(), Key=keys[0])  # a delete marker on top
    # A key that starts with another one: listing by prefix finds it, erasing must not.
    longer = keys[1] + "-longer"
    client.put_object(Bucket=bucket(), Key=longer, Body=b"not erased")
    monkeypatch.setattr(storage, "DELETE_BATCH", 2)  # 7 versions: 4 DeleteObjects calls

    assert storage.delete_keys(keys) == []

    assert stored_versions() == [(longer, False)]
    assert storage.erase_objects([longer]) == set()
    assert stored_versions() == []


# --- Reconciliation lists versions ---------------------------------------------------------------


def test_reconciliation_finds_and_erases_orphaned_versions_and_delete_markers() -> None:
    client = storage._client()
    kept = CvFactory.create()
    # An orphan whose current object was deleted by key: a noncurrent version and a marker.
    deleted_by_key = storage.put_cv(io.BytesIO(valid_pdf()), content_type="application/pdf")
    client.delete_object(Bucket=bucket(), Key=deleted_by_key)
    # Nothing but a delete marker.
    only_marker = storage.new_cv_key()
    client.delete_object(Bucket=bucket(), Key=only_marker)
    # An orphan export with an older version under its current one.
    export = storage.put_export(io.BytesIO(b"PK\x05\x06" + b"\x00" * 18))
    client.put_object(Bucket=bucket(), Key=export, Body=b"PK newer")
    assert len(versions_of(deleted_by_key)) == len(versions_of(export)) == 2
    current = {key for key, _ in storage.iter_cv_objects()}
    assert deleted_by_key not in current, "a listing of current objects does not see it"

    # Too young for the default age guard: nothing orphaned.
    assert reconcile_storage(execute=True).orphaned == []
    dry_run = reconcile_storage(execute=False, min_age=timedelta(0))
    assert sorted(dry_run.orphaned) == sorted([deleted_by_key, only_marker, export])
    assert dry_run.orphaned_versions == 5
    assert len(stored_versions()) == 6, "a dry run erases nothing"

    report = reconcile_storage(execute=True, min_age=timedelta(0))

    assert (report.deleted, report.not_deleted) == (3, [])
    assert stored_versions() == [(kept.storage_key, False)]
    assert reconcile_storage(execute=True, min_age=timedelta(0)).orphaned == []


# --- Download links carry no file name -----------------------------------------------------------


def test_the_cv_link_names_nothing_and_the_download_keeps_the_original_name(
    client: Client, posting: Posting
) -> None:
    cv_file = SimpleUploadedFile(PERSONAL_FILENAME, valid_pdf(), "application/pdf")
    assert apply(client, posting, cv=cv_file).status_code == 302
    cv = CurriculumVitae.objects.get()
    recruiter = MembershipFactory.create(posting=posting, role=TeamMembership.Role.RECRUITER).user
    client.force_login(recruiter)

    response = client.get(
        reverse("staff:cv_download", kwargs={"pk": cv.application_id, "cv_id": cv.pk})
    )

    assert response.status_code == 302
    link = response["Location"]
    assert "response-content-disposition" not in parse_qs(urlsplit(link).query)
    for part in ("Ana", "Kova", "CV.pdf"):
        assert part not in unquote(link), f"{part!r} is in the link"
    with urllib.request.urlopen(link, timeout=10) as download:  # noqa: S310
        assert download.read() == valid_pdf()
        assert download.headers["Content-Disposition"] == storage.content_disposition(
            PERSONAL_FILENAME
        )
        assert download.headers["Content-Type"] == "application/pdf"


def test_a_cv_stored_without_its_name_downloads_under_a_generic_one(posting: Posting) -> None:
    # As uploads stored CVs before objects carried their download name.
    key = storage.new_cv_key()
    storage._client().put_object(
        Bucket=bucket(), Key=key, Body=valid_pdf(), ContentType="application/pdf"
    )
    cv = CvFactory.create(storage_key=key, original_filename=PERSONAL_FILENAME)

    link = storage.presigned_cv_url(cv.storage_key, content_type=cv.content_type)

    assert "Ana" not in unquote(link) and "Kova" not in unquote(link)
    with urllib.request.urlopen(link, timeout=10) as download:  # noqa: S310
        assert download.headers["Content-Disposition"] == storage.content_disposition("cv.pdf")


def test_the_export_link_names_nothing_and_the_download_is_an_attachment() -> None:
    export = DataExportFactory.create()

    link = storage.presigned_export_url(export.storage_key, filename="my-data-2026-01-31.zip")

    assert "response-content-disposition" not in parse_qs(urlsplit(link).query)
    with urllib.request.urlopen(link, timeout=10) as download:  # noqa: S310
        disposition = download.headers["Content-Disposition"]
        assert disposition.startswith('attachment; filename="my-data-')
        assert download.headers["Content-Type"] == "application/zip"
