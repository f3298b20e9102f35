"""CV object storage (S3-compatible). The only module that talks to boto3.

Objects live in a private bucket under random keys (`cv/<uuid>`): a key never carries a
candidate's name, and SeaweedFS ignores canned ACLs, so every read is a presigned URL.
"""

import logging
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO, Any, cast

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.storage import storages
from storages.backends.s3 import S3Storage

logger = logging.getLogger(__name__)

CV_PREFIX = "cv/"
# S3 caps DeleteObjects at 1000 keys per call.
DELETE_BATCH = 1000


class StorageUnavailable(Exception):
    """The object store could not be reached or refused the operation."""


def _cv_storage() -> S3Storage:
    # django-storages builds the client from settings.STORAGES["cvs"] (endpoint, timeouts).
    return cast(S3Storage, storages["cvs"])


def _client() -> Any:
    return _cv_storage().connection.meta.client


def _bucket() -> str:
    return str(_cv_storage().bucket_name)


def new_cv_key() -> str:
    return f"{CV_PREFIX}{uuid.uuid4()}"


def put_cv(fileobj: IO[bytes], *, content_type: str) -> str:
    """Uploads a CV under a new random key and returns the key.

    Side effects: one object in the bucket (server-side encrypted where configured). Not
    idempotent: each call stores a new object. Raises StorageUnavailable.
    """
    key = new_cv_key()
    extra: dict[str, str] = {"ContentType": content_type}
    if settings.S3_SERVER_SIDE_ENCRYPTION:
        extra["ServerSideEncryption"] = settings.S3_SERVER_SIDE_ENCRYPTION
    fileobj.seek(0)
    try:
        _client().upload_fileobj(fileobj, _bucket(), key, ExtraArgs=extra)
    except (BotoCoreError, ClientError) as exc:
        logger.warning("CV upload failed: %s", type(exc).__name__)
        raise StorageUnavailable from exc
    return key


def delete_keys(keys: Iterable[str]) -> list[str]:
    """Deletes objects in batches; returns the keys that could NOT be deleted.

    A missing key counts as deleted, so this is safe to rerun. Raises StorageUnavailable if
    the store cannot be reached at all.
    """
    pending = list(keys)
    failed: list[str] = []
    for start in range(0, len(pending), DELETE_BATCH):
        batch = pending[start : start + DELETE_BATCH]
        try:
            response = _client().delete_objects(
                Bucket=_bucket(),
                Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True},
            )
        except (BotoCoreError, ClientError) as exc:
            raise StorageUnavailable from exc
        # S3 reports per-key failures inside a 200 response.
        failed.extend(
            error["Key"] for error in response.get("Errors", []) if error.get("Code") != "NoSuchKey"
        )
    return failed


def iter_cv_objects() -> Iterator[tuple[str, datetime]]:
    """Yields (key, last_modified) for every CV object in the bucket. Raises StorageUnavailable."""
    paginator = _client().get_paginator("list_objects_v2")
    try:
        for page in paginator.paginate(Bucket=_bucket(), Prefix=CV_PREFIX):
            for item in page.get("Contents", []):
                yield item["Key"], item["LastModified"]
    except (BotoCoreError, ClientError) as exc:
        raise StorageUnavailable from exc


def read_object(key: str) -> bytes:
    """Returns an object's bytes (for checks and exports of small files)."""
    try:
        response = _client().get_object(Bucket=_bucket(), Key=key)
        return bytes(response["Body"].read())
    except (BotoCoreError, ClientError) as exc:
        raise StorageUnavailable from exc


def object_metadata(key: str) -> dict[str, Any]:
    """Returns the object's HEAD metadata (ContentType, ServerSideEncryption, ...)."""
    try:
        return dict(_client().head_object(Bucket=_bucket(), Key=key))
    except (BotoCoreError, ClientError) as exc:
        raise StorageUnavailable from exc


def check_bucket() -> None:
    """Raises if the bucket cannot be reached with our credentials (readiness probe)."""
    _client().head_bucket(Bucket=_bucket())


def ensure_bucket() -> bool:
    """Creates the bucket if it does not exist. Returns True if it created it. Rerun-safe."""
    client = _client()
    try:
        client.head_bucket(Bucket=_bucket())
        return False
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in {"404", "NoSuchBucket", "NotFound"}:
            raise
    client.create_bucket(Bucket=_bucket())
    return True
