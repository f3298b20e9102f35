"""Object storage (S3-compatible) for CVs and data exports. The only module that talks to boto3.

Objects live in a private bucket under random keys (`cv/<uuid>`, `export/<uuid>`): a key
never carries a candidate's name, and SeaweedFS ignores canned ACLs, so every read is a
presigned URL. Each object stores its own download name (Content-Disposition), so no URL
carries it either. On a bucket that keeps versions, every deletion erases every version and
delete marker of the key: deleting only the current object would leave the bytes behind.
"""

import contextlib
import json
import logging
import unicodedata
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache, partial
from itertools import islice
from typing import IO, Any, cast
from urllib.parse import quote

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.storage import storages
from django.utils import timezone
from storages.backends.s3 import S3Storage

from recruitment.cvs.checks.inspection import DOCX_CONTENT_TYPE, PDF_CONTENT_TYPE

logger = logging.getLogger(__name__)

CV_PREFIX = "cv/"
# Candidates' data exports (ZIP files), deleted when they expire
# (recruitment.rights.services.exports).
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


def _upload(fileobj: IO[bytes], *, key: str, content_type: str, filename: str) -> None:
    # The object carries its own download headers: the store returns them on every GET, so a
    # presigned link needs no file name in its query string (where logs and history keep it).
    extra: dict[str, str] = {
        "ContentType": content_type,
        "ContentDisposition": content_disposition(filename),
    }
    if settings.S3_SERVER_SIDE_ENCRYPTION:
        extra["ServerSideEncryption"] = settings.S3_SERVER_SIDE_ENCRYPTION
    fileobj.seek(0)
    # upload_fileobj reads the file in parts (multipart above 8 MB): never all in memory.
    _client().upload_fileobj(fileobj, _bucket(), key, ExtraArgs=extra, Config=_TRANSFER)


_CV_EXTENSIONS = {PDF_CONTENT_TYPE: ".pdf", DOCX_CONTENT_TYPE: ".docx"}


def generic_cv_filename(content_type: str) -> str:
    """`cv.pdf` or `cv.docx` (by content type): the download name of a CV whose object does
    not carry the candidate's own file name."""
    return "cv" + _CV_EXTENSIONS.get(content_type, "")


def _cv_download_name(filename: str | None, content_type: str) -> str:
    """The name a CV object is downloaded under: the candidate's file's, without control or
    formatting characters (a bidi override can disguise an extension), else a generic one."""
    name = "".join(ch for ch in filename or "" if unicodedata.category(ch)[0] != "C").strip()
    return name or generic_cv_filename(content_type)


def put_cv(fileobj: IO[bytes], *, content_type: str, filename: str | None = None) -> str:
    """Uploads a CV under a new random key and returns the key.

    The object stores its Content-Type and a Content-Disposition `attachment` under
    `filename` (the name of the candidate's file; `generic_cv_filename` when none), so its
    download link never names it. Side effects: one object in the bucket (server-side
    encrypted where configured). Not idempotent: each call stores a new object. Raises
    StorageUnavailable.
    """
    key = new_cv_key()
    try:
        _upload(
            fileobj,
            key=key,
            content_type=content_type,
            filename=_cv_download_name(filename, content_type),
        )
    except (BotoCoreError, ClientError) as exc:
        logger.warning("CV upload failed: %s", type(exc).__name__)
        raise StorageUnavailable from exc
    return key


def copy_cv(source_key: str, *, content_type: str, filename: str | None = None) -> str:
    """Copies a stored CV to a new random key (inside the store: the bytes never pass
    through here) and returns the key: a CV a person chose to apply with again belongs to
    the new application, and is erased with it, whatever becomes of the old one. The copy
    carries its own Content-Type and Content-Disposition, as `put_cv` sets them.

    Side effects: one object in the bucket (server-side encrypted where configured). Not
    idempotent: each call stores a new object. Raises StorageUnavailable (also when the
    source object is gone).
    """
    key = new_cv_key()
    extra: dict[str, str] = {
        "ContentType": content_type,
        "ContentDisposition": content_disposition(_cv_download_name(filename, content_type)),
        "MetadataDirective": "REPLACE",
    }
    if settings.S3_SERVER_SIDE_ENCRYPTION:
        extra["ServerSideEncryption"] = settings.S3_SERVER_SIDE_ENCRYPTION
    try:
        _client().copy_object(
            Bucket=_bucket(), Key=key, CopySource={"Bucket": _bucket(), "Key": source_key}, **extra
        )
    except (BotoCoreError, ClientError) as exc:
        logger.warning("CV copy failed: %s", type(exc).__name__)
        raise StorageUnavailable from exc
    return key


def put_export(fileobj: IO[bytes], *, filename: str | None = None) -> str:
    """Uploads a data export (a ZIP file) under a new random key (`export/<uuid>`) and
    returns the key.

    The object stores Content-Disposition `attachment` under `filename` (default
    `my-data-YYYY-MM-DD.zip`, today's date: the name `presigned_export_url` links to), so
    its download link names nothing. Side effects: one object in the bucket (server-side
    encrypted where configured). If the upload fails, whatever may have landed under the key
    is erased (best effort; the reconciliation erases it later if storage is down), then
    StorageUnavailable is raised. Not idempotent: each call stores a new object.
    """
    key = new_export_key()
    try:
        _upload(
            fileobj,
            key=key,
            content_type="application/zip",
            filename=filename or f"my-data-{timezone.localdate():%Y-%m-%d}.zip",
        )
    except (BotoCoreError, ClientError) as exc:
        logger.warning("export upload failed: %s", type(exc).__name__)
        # A timed-out upload may still have completed on the server's side.
        with contextlib.suppress(StorageUnavailable):
            erase_objects([key])
        raise StorageUnavailable from exc
    return key


# --- Listing and erasing: every version ---------------------------------------------------------
#
# On a bucket that keeps versions, deleting a key only adds a delete marker: the bytes stay as
# a noncurrent version that no row, purge or reconciliation would see. So nothing here deletes
# by key alone there; every erasure lists the key's versions and delete markers and deletes
# each one by its version id.

# Listing one key's versions is one request; a few run at once, so that erasing a batch of
# keys does not wait for each round trip in turn.
LIST_THREADS = 8
# Per-key errors that mean the object or version is already gone: erased.
_ALREADY_GONE = {"NoSuchKey", "NoSuchVersion"}


@dataclass(frozen=True)
class ObjectVersion:
    """One version of an object, or a delete marker, as the bucket lists it. `version_id`
    is None where the bucket has never kept versions (the object itself)."""

    key: str
    version_id: str | None
    last_modified: datetime
    is_delete_marker: bool = False

    @property
    def target(self) -> dict[str, str]:
        """This version as a DeleteObjects entry."""
        if self.version_id is None:
            return {"Key": self.key}
        return {"Key": self.key, "VersionId": self.version_id}


def _bucket_is_versioned(client: Any = None) -> bool:
    try:
        status = (client or _client()).get_bucket_versioning(Bucket=_bucket()).get("Status")
    except (BotoCoreError, ClientError) as exc:
        raise StorageUnavailable from exc
    # "Suspended" still keeps the versions written while it was enabled.
    return status in {"Enabled", "Suspended"}


def _list_versions(client: Any, *, prefix: str, versions: bool) -> Iterator[ObjectVersion]:
    # `versions`: every version and delete marker (a bucket that keeps versions), or the
    # current objects only.
    try:
        if not versions:
            for page in client.get_paginator("list_objects_v2").paginate(
                Bucket=_bucket(), Prefix=prefix
            ):
                for item in page.get("Contents", []):
                    yield ObjectVersion(item["Key"], None, item["LastModified"])
            return
        for page in client.get_paginator("list_object_versions").paginate(
            Bucket=_bucket(), Prefix=prefix
        ):
            entries = [
                ObjectVersion(item["Key"], item["VersionId"], item["LastModified"])
                for item in page.get("Versions", [])
            ] + [
                ObjectVersion(item["Key"], item["VersionId"], item["LastModified"], True)
                for item in page.get("DeleteMarkers", [])
            ]
            # A page lists versions and delete markers apart, each in key order, and pages
            # follow each other in key order: merged, one key's entries are adjacent.
            entries.sort(key=lambda entry: entry.key)
            yield from entries
    except (BotoCoreError, ClientError) as exc:
        raise StorageUnavailable from exc


def iter_object_versions(prefix: str = "") -> Iterator[ObjectVersion]:
    """Every version and delete marker under `prefix` (the whole bucket by default), in key
    order, one key's entries adjacent; on a bucket that never kept versions, its objects.
    Read-only. Raises StorageUnavailable."""
    client = _client()
    return _list_versions(client, prefix=prefix, versions=_bucket_is_versioned(client))


def _versions_of_key(client: Any, key: str) -> list[ObjectVersion]:
    # The prefix also matches longer keys that start with this one.
    return [
        version
        for version in _list_versions(client, prefix=key, versions=True)
        if version.key == key
    ]


def _delete(client: Any, targets: Iterable[dict[str, str]]) -> set[str]:
    """Deletes DeleteObjects entries in batches; returns the keys of those that failed."""
    failed: set[str] = set()
    remaining = iter(targets)
    while batch := list(islice(remaining, DELETE_BATCH)):
        try:
            response = client.delete_objects(
                Bucket=_bucket(), Delete={"Objects": batch, "Quiet": True}
            )
        except (BotoCoreError, ClientError) as exc:
            raise StorageUnavailable from exc
        # S3 reports per-key failures inside a 200 response.
        failed.update(
            error["Key"]
            for error in response.get("Errors", [])
            if error.get("Code") not in _ALREADY_GONE
        )
    return failed


def erase_objects(keys: Iterable[str], *, client: Any = None) -> set[str]:
    """Deletes these objects for good: on a bucket that keeps versions, every version and
    delete marker of each key (listed by key, deleted by version id), else the objects; in
    batches of 1000. Returns the keys that could NOT be erased (per-key errors), so callers
    never report an erasure that did not happen.

    Every deletion of a CV or an export goes through here. Raises StorageUnavailable if the
    store cannot be reached. Rerun-safe: already missing keys count as erased.
    """
    pending = list(dict.fromkeys(keys))
    if not pending:
        return set()
    client = client or _client()
    if not _bucket_is_versioned(client):
        return _delete(client, ({"Key": key} for key in pending))
    pool = ThreadPoolExecutor(
        max_workers=min(LIST_THREADS, len(pending)), thread_name_prefix="list-versions"
    )
    try:
        listings = pool.map(partial(_versions_of_key, client), pending)
        return _delete(client, (version.target for listing in listings for version in listing))
    finally:
        # After a failure, listings not yet started are dropped, not sent to a store that
        # is down.
        pool.shutdown(cancel_futures=True)


def delete_keys(keys: Iterable[str], *, client: Any = None) -> list[str]:
    """`erase_objects` (every version of each key) for callers that want a list: returns
    the keys that could NOT be erased, in the order given.

    Raises StorageUnavailable if the store cannot be reached. Rerun-safe.
    """
    pending = list(dict.fromkeys(keys))
    failed = erase_objects(pending, client=client)
    return [key for key in pending if key in failed]


def erase_versions(versions: Iterable[ObjectVersion], *, client: Any = None) -> set[str]:
    """Deletes exactly these versions and delete markers (as `iter_object_versions` listed
    them), in batches of 1000. Returns the keys of those that could NOT be deleted.

    Raises StorageUnavailable if the store cannot be reached. Rerun-safe.
    """
    return _delete(client or _client(), (version.target for version in versions))


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


def iter_all_object_versions() -> Iterator[tuple[str, str | None]]:
    """(key, version id) of every object and version in the bucket that holds bytes (delete
    markers hold none), for erasure checks. Raises StorageUnavailable."""
    for version in iter_object_versions():
        if not version.is_delete_marker:
            yield version.key, version.version_id


def read_object_version(key: str, version_id: str | None) -> bytes:
    extra = {"VersionId": version_id} if version_id else {}
    try:
        response = _client().get_object(Bucket=_bucket(), Key=key, **extra)
        return bytes(response["Body"].read())
    except (BotoCoreError, ClientError) as exc:
        raise StorageUnavailable from exc


def iter_objects(prefix: str) -> Iterator[tuple[str, datetime]]:
    """Yields (key, last_modified) for every current object under `prefix` (no noncurrent
    versions: see `iter_object_versions`). Raises StorageUnavailable."""
    for version in _list_versions(_client(), prefix=prefix, versions=False):
        yield version.key, version.last_modified


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


def _stores_attachment(key: str) -> bool:
    """Whether the object stores its own Content-Disposition `attachment`, as every upload
    does since objects carry their download name."""
    try:
        stored = object_metadata(key).get("ContentDisposition", "")
    except StorageUnavailable:
        # Missing, or the store did not answer: the link then names the file generically.
        return False
    return str(stored).startswith("attachment")


def presigned_download_url(key: str, *, fallback_filename: str, expires: int = 60) -> str:
    """A GET link to one object, valid `expires` seconds (at most 60), signed for the host
    browsers reach; always a download (`attachment`), and no file name in the link.

    The file arrives under the name stored with the object at upload (its Content-Disposition,
    which the store returns on the GET). An object stored before uploads carried one (or one
    whose headers could not be read just now) gets `fallback_filename` in the link instead:
    callers pass a generic name, never a person's. Side effects: one HEAD request.
    """
    # The same credentials and bucket the storage backend was configured with.
    backend = _cv_storage()
    client = _public_client(
        settings.S3_PUBLIC_ENDPOINT_URL, backend.access_key, backend.secret_key, backend.region_name
    )
    params = {"Bucket": backend.bucket_name, "Key": key}
    if not _stores_attachment(key):
        params["ResponseContentDisposition"] = content_disposition(fallback_filename)
    return str(
        client.generate_presigned_url("get_object", Params=params, ExpiresIn=min(expires, 60))
    )


def presigned_cv_url(key: str, *, content_type: str, expires: int = 60) -> str:
    """A GET link to one CV, valid `expires` seconds (at most 60), always a download, with
    no file name in the link (it would land in access logs and browser history).

    The CV arrives under the candidate's original file name, stored with the object at
    upload. A CV uploaded before objects carried their name downloads as `cv.pdf` or `cv.docx` (by
    `content_type`), named in the link, not under the person's file name. Side effects: one
    HEAD request.
    """
    return presigned_download_url(
        key, fallback_filename=generic_cv_filename(content_type), expires=expires
    )


def presigned_export_url(key: str, *, filename: str, expires: int = 60) -> str:
    """A GET link to one data export (ZIP), valid `expires` seconds (at most 60), always a
    download under the name stored at upload (`put_export`). `filename` (generic, e.g.
    `my-data-YYYY-MM-DD.zip`) names an export stored before objects carried a name; it goes
    in the link only then. Side effects: one HEAD request.
    """
    return presigned_download_url(key, fallback_filename=filename, expires=expires)


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
