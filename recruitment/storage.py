"""Object storage (S3-compatible) for CVs and data exports. The only module that talks to boto3.

Objects live in a private bucket under random keys (`cv/<uuid>`, `export/<uuid>`): a key
never carries a candidate's name, and SeaweedFS ignores canned ACLs, so every read is a
presigned URL.
"""

import contextlib
import json
import logging
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from functools import lru_cache
from typing import IO, Any, cast
from urllib.parse import quote

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.storage import storages
from storages.backends.s3 import S3Storage

logger = logging.getLogger(__name__)

CV_PREFIX = "cv/"
# Candidates' data exports (ZIP files), deleted when they expire (recruitment.services.exports).
EXPORT_PREFIX = "export/"
# How much of an object is held in memory at a time when it is streamed.
CHUNK_SIZE = 1024 * 1024
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


def new_export_key() -> str:
    return f"{EXPORT_PREFIX}{uuid.uuid4()}"


# Large files (exports) go up in 5 MB parts, one at a time in the calling thread: boto3's
# default (8 MB parts, ten threads in flight) held about as much memory as the file itself.
_TRANSFER = TransferConfig(
    multipart_threshold=8 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024, use_threads=False
)


def _upload(fileobj: IO[bytes], *, key: str, content_type: str) -> None:
    # upload_fileobj reads the file in parts (multipart above 8 MB): never all in memory.
    extra: dict[str, str] = {"ContentType": content_type}
    if settings.S3_SERVER_SIDE_ENCRYPTION:
        extra["ServerSideEncryption"] = settings.S3_SERVER_SIDE_ENCRYPTION
    fileobj.seek(0)
    _client().upload_fileobj(fileobj, _bucket(), key, ExtraArgs=extra, Config=_TRANSFER)


def put_cv(fileobj: IO[bytes], *, content_type: str) -> str:
    """Uploads a CV under a new random key and returns the key.

    Side effects: one object in the bucket (server-side encrypted where configured). Not
    idempotent: each call stores a new object. Raises StorageUnavailable.
    """
    key = new_cv_key()
    try:
        _upload(fileobj, key=key, content_type=content_type)
    except (BotoCoreError, ClientError) as exc:
        logger.warning("CV upload failed: %s", type(exc).__name__)
        raise StorageUnavailable from exc
    return key


def put_export(fileobj: IO[bytes]) -> str:
    """Uploads a data export (a ZIP file) under a new random key (`export/<uuid>`) and
    returns the key.

    Side effects: one object in the bucket (server-side encrypted where configured). If the
    upload fails, whatever may have landed under the key is deleted (best effort; the
    reconciliation deletes it later if storage is down), then StorageUnavailable is raised.
    Not idempotent: each call stores a new object.
    """
    key = new_export_key()
    try:
        _upload(fileobj, key=key, content_type="application/zip")
    except (BotoCoreError, ClientError) as exc:
        logger.warning("export upload failed: %s", type(exc).__name__)
        # A timed-out upload may still have completed on the server's side.
        with contextlib.suppress(StorageUnavailable):
            erase_objects([key])
        raise StorageUnavailable from exc
    return key


def delete_keys(keys: Iterable[str], *, client: Any = None) -> list[str]:
    """Deletes objects in batches; returns the keys that could NOT be deleted.

    A missing key counts as deleted, so this is safe to rerun. Raises StorageUnavailable if
    the store cannot be reached at all.
    """
    client = client or _client()
    pending = list(keys)
    failed: list[str] = []
    for start in range(0, len(pending), DELETE_BATCH):
        batch = pending[start : start + DELETE_BATCH]
        try:
            response = client.delete_objects(
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


def _bucket_is_versioned(client: Any = None) -> bool:
    try:
        status = (client or _client()).get_bucket_versioning(Bucket=_bucket()).get("Status")
    except (BotoCoreError, ClientError) as exc:
        raise StorageUnavailable from exc
    # "Suspended" still keeps the versions written while it was enabled.
    return status in {"Enabled", "Suspended"}


def erase_objects(keys: list[str], *, client: Any = None) -> set[str]:
    """Deletes these objects for good, every version and delete marker where the bucket keeps
    versions, in batches of 1000. Returns the keys that could NOT be erased (per-key errors),
    so callers never report an erasure that did not happen.

    Raises StorageUnavailable if the store cannot be reached. Rerun-safe: already missing
    keys count as erased.
    """
    if not keys:
        return set()
    client = client or _client()
    failed = set(delete_keys(keys, client=client))
    if _bucket_is_versioned(client):
        failed |= set(_delete_all_versions(keys, client))
    return failed


def erase_objects_in_background(keys: list[str]) -> "Future[set[str]]":
    """Starts `erase_objects(keys)` on a thread of its own; its future gives the keys that
    could not be erased, or raises StorageUnavailable.

    The thread uses this thread's client: django-storages keeps one per thread and a new
    one costs a new session, and boto3 clients are safe to share between threads.
    """
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="erase-objects")
    future = executor.submit(erase_objects, keys, client=_client())
    executor.shutdown(wait=False)  # the thread ends after its one task
    return future


def _delete_all_versions(keys: list[str], client: Any) -> list[str]:
    versions: list[dict[str, str]] = []
    try:
        for key in keys:
            listing = client.list_object_versions(Bucket=_bucket(), Prefix=key)
            for item in [*listing.get("Versions", []), *listing.get("DeleteMarkers", [])]:
                if item["Key"] == key:
                    versions.append({"Key": key, "VersionId": item["VersionId"]})
        failed: list[str] = []
        for start in range(0, len(versions), DELETE_BATCH):
            response = client.delete_objects(
                Bucket=_bucket(),
                Delete={"Objects": versions[start : start + DELETE_BATCH], "Quiet": True},
            )
            failed.extend(error["Key"] for error in response.get("Errors", []))
    except (BotoCoreError, ClientError) as exc:
        raise StorageUnavailable from exc
    return failed


def iter_all_object_versions() -> Iterator[tuple[str, str | None]]:
    """(key, version id) of every object and version in the bucket (for erasure checks)."""
    client = _client()
    try:
        if _bucket_is_versioned():
            for page in client.get_paginator("list_object_versions").paginate(Bucket=_bucket()):
                for item in page.get("Versions", []):
                    yield item["Key"], item["VersionId"]
        else:
            for page in client.get_paginator("list_objects_v2").paginate(Bucket=_bucket()):
                for item in page.get("Contents", []):
                    yield item["Key"], None
    except (BotoCoreError, ClientError) as exc:
        raise StorageUnavailable from exc


def read_object_version(key: str, version_id: str | None) -> bytes:
    extra = {"VersionId": version_id} if version_id else {}
    try:
        response = _client().get_object(Bucket=_bucket(), Key=key, **extra)
        return bytes(response["Body"].read())
    except (BotoCoreError, ClientError) as exc:
        raise StorageUnavailable from exc


def iter_objects(prefix: str) -> Iterator[tuple[str, datetime]]:
    """Yields (key, last_modified) for every object under `prefix`. Raises StorageUnavailable."""
    paginator = _client().get_paginator("list_objects_v2")
    try:
        for page in paginator.paginate(Bucket=_bucket(), Prefix=prefix):
            for item in page.get("Contents", []):
                yield item["Key"], item["LastModified"]
    except (BotoCoreError, ClientError) as exc:
        raise StorageUnavailable from exc


def iter_cv_objects() -> Iterator[tuple[str, datetime]]:
    """Yields (key, last_modified) for every CV object in the bucket. Raises StorageUnavailable."""
    return iter_objects(CV_PREFIX)


def iter_export_objects() -> Iterator[tuple[str, datetime]]:
    """Yields (key, last_modified) for every data export object. Raises StorageUnavailable."""
    return iter_objects(EXPORT_PREFIX)


def iter_object_chunks(key: str, *, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """Yields an object's bytes in chunks of at most `chunk_size`, so a large object is never
    held in memory whole. Raises StorageUnavailable, also part-way through."""
    try:
        body = _client().get_object(Bucket=_bucket(), Key=key)["Body"]
        try:
            yield from body.iter_chunks(chunk_size)
        finally:
            body.close()
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


@lru_cache(maxsize=4)
def _public_client(endpoint: str, access_key: str, secret_key: str, region: str) -> Any:
    # Presigning is pure computation: this client never connects; it only signs URLs for the
    # host the browser can reach (S3_PUBLIC_ENDPOINT_URL), not the internal service name.
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        region_name=region,
        config=BotoConfig(s3={"addressing_style": "path"}, signature_version="s3v4"),
    )


def content_disposition(filename: str) -> str:
    """`attachment` with the file name in both RFC 6266 forms: a plain-ASCII fallback and
    the exact UTF-8 name (RFC 5987), so no browser renders the file inline or mangles it."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def presigned_download_url(key: str, *, filename: str, content_type: str, expires: int = 60) -> str:
    """A GET link to one object, valid `expires` seconds (at most 60), always a download
    (`attachment`) under `filename`, signed for the host browsers reach.

    No side effects, no network.
    """
    # The same credentials and bucket the storage backend was configured with.
    backend = _cv_storage()
    client = _public_client(
        settings.S3_PUBLIC_ENDPOINT_URL, backend.access_key, backend.secret_key, backend.region_name
    )
    return str(
        client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": backend.bucket_name,
                "Key": key,
                "ResponseContentDisposition": content_disposition(filename),
                "ResponseContentType": content_type,
            },
            ExpiresIn=min(expires, 60),
        )
    )


def presigned_cv_url(key: str, *, filename: str, content_type: str, expires: int = 60) -> str:
    """A GET link to one CV, valid `expires` seconds (at most 60), always a download.

    No side effects, no network.
    """
    return presigned_download_url(
        key, filename=filename, content_type=content_type, expires=expires
    )


def presigned_export_url(key: str, *, filename: str, expires: int = 60) -> str:
    """A GET link to one data export (ZIP), valid `expires` seconds (at most 60), always a
    download. No side effects, no network."""
    return presigned_download_url(
        key, filename=filename, content_type="application/zip", expires=expires
    )


class BucketNotPrivate(Exception):
    """The bucket grants access to everyone (a public ACL grant or a bucket policy for "*")."""


# Error codes meaning "this store does not implement that API", not "something is wrong".
_UNSUPPORTED = {"NotImplemented", "MethodNotAllowed", "NotSupported", "XNotImplemented"}
_NO_ENCRYPTION = {"ServerSideEncryptionConfigurationNotFoundError"}
_NO_POLICY = {"NoSuchBucketPolicy"}
_PUBLIC_GROUPS = {
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
}


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _unsupported(exc: ClientError) -> bool:
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return _error_code(exc) in _UNSUPPORTED or status == 501


def _is_everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return any(_is_everyone(value) for value in principal.values())
    if isinstance(principal, list):
        return any(_is_everyone(value) for value in principal)
    return False


def policy_is_public(policy: str) -> bool:
    """Whether a bucket policy (JSON) allows anything to everyone (Principal "*").

    Conditions are not weighed: any Allow to "*" counts as public. Unreadable JSON counts
    as public too (it cannot be shown to be private).
    """
    try:
        document = json.loads(policy)
    except ValueError:
        return True
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    if isinstance(statements, dict):
        statements = [statements]
    return any(
        isinstance(statement, dict)
        and statement.get("Effect") == "Allow"
        and _is_everyone(statement.get("Principal"))
        for statement in statements
    )


def _acl_state(client: Any, bucket: str) -> str:
    try:
        grants = client.get_bucket_acl(Bucket=bucket).get("Grants", [])
    except ClientError as exc:
        if _unsupported(exc):
            return "not supported"
        raise
    public = [g for g in grants if g.get("Grantee", {}).get("URI") in _PUBLIC_GROUPS]
    return "public" if public else "private"


def _policy_state(client: Any, bucket: str) -> str:
    try:
        policy = client.get_bucket_policy(Bucket=bucket).get("Policy", "")
    except ClientError as exc:
        if _error_code(exc) in _NO_POLICY:
            return "none"
        if _unsupported(exc):
            return "not supported"
        raise
    return "public" if policy_is_public(policy) else "private"


def _encryption_state(client: Any, bucket: str) -> str:
    try:
        configuration = client.get_bucket_encryption(Bucket=bucket)
    except ClientError as exc:
        if _error_code(exc) in _NO_ENCRYPTION:
            return "off"
        if _unsupported(exc):
            return "not supported"
        raise
    rules = configuration.get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
    algorithms = [
        rule.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm", "") for rule in rules
    ]
    return ", ".join(a for a in algorithms if a) or "off"


def bucket_security(client: Any = None) -> dict[str, str]:
    """How the bucket is exposed: {"acl", "policy", "encryption"}, each a short state.

    acl: "private", "public" or "not supported"; policy: "none", "private", "public" or
    "not supported"; encryption: the default algorithm (e.g. "AES256"), "off" or
    "not supported". Read-only. Raises ClientError/BotoCoreError if the store fails.
    """
    client = client or _client()
    bucket = _bucket()
    return {
        "acl": _acl_state(client, bucket),
        "policy": _policy_state(client, bucket),
        "encryption": _encryption_state(client, bucket),
    }


def check_bucket(client: Any = None) -> dict[str, str]:
    """Readiness probe: the bucket answers to our credentials and is private.

    Returns `bucket_security()` as detail (encryption "off" or "not supported" is reported,
    not failed: every object is still uploaded with server-side encryption where configured).
    Raises BucketNotPrivate if an ACL grant or a bucket policy opens it to everyone, and the
    client's error if the bucket cannot be reached. Read-only.
    """
    client = client or _client()
    client.head_bucket(Bucket=_bucket())
    detail = bucket_security(client)
    exposed = [name for name in ("acl", "policy") if detail[name] == "public"]
    if exposed:
        logger.error("the CV bucket is public (%s)", ", ".join(exposed))
        raise BucketNotPrivate(", ".join(exposed))
    return detail


def _enable_default_encryption(client: Any) -> None:
    algorithm = settings.S3_SERVER_SIDE_ENCRYPTION
    if not algorithm:
        return
    try:
        client.put_bucket_encryption(
            Bucket=_bucket(),
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": algorithm}}]
            },
        )
    except ClientError as exc:
        if not _unsupported(exc):
            raise
        logger.info("the object store does not support default bucket encryption")


def ensure_bucket() -> bool:
    """Creates the bucket if it does not exist, turns on its default encryption where
    configured and supported, and checks that it is private (the start-up check: the
    `ensure_bucket` command runs before the app starts). Returns True if it created it.

    Rerun-safe. Raises BucketNotPrivate if the bucket is open to everyone.
    """
    client = _client()
    created = False
    try:
        client.head_bucket(Bucket=_bucket())
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in {"404", "NoSuchBucket", "NotFound"}:
            raise
        client.create_bucket(Bucket=_bucket())
        created = True
    if _encryption_state(client, _bucket()) == "off":
        _enable_default_encryption(client)
    check_bucket(client)
    return created
