"""The invariants every drill ends with: whatever failed, nothing is half-done or lost.

- Rows and objects: every CV row has its object, and no cv/ object is unreferenced.
- Outbox and applications: every application still has its confirmation email (sent or
  still pending) unless it was purged; nothing in the outbox is about a purged one.
- Erasure records and purges: exactly one ErasureRecord per purged application, none of
  their rows left, the hash chain intact, and a full-text scan of a database dump and of
  every object version in the bucket finds none of their personal data.
- Nothing lost for the others: every application expected to survive is there with its CV.
"""

from collections.abc import Iterable
from uuid import UUID

from notifications.models import OutboundEmail
from recruitment.cvs import storage
from recruitment.models import Application, CurriculumVitae, ErasureRecord
from recruitment.retention.services import ledger
from tests.harness.evidence import bucket_contents, database_dump

CONFIRMATION = "careers/emails/application_received"


def check_invariants(
    *,
    survivors: Iterable[UUID] = (),
    purged: Iterable[UUID] = (),
    purged_data: Iterable[str] = (),
    confirmations: bool = True,
) -> None:
    """Asserts the invariants above. `confirmations=False` for tests that cleared the outbox
    on purpose (a concluded process whose notices are out)."""
    survivors, purged, purged_data = set(survivors), set(purged), list(purged_data)

    rows = set(CurriculumVitae.objects.values_list("storage_key", flat=True))
    objects = {key for key, _ in storage.iter_cv_objects()}
    assert rows - objects == set(), f"{len(rows - objects)} CV rows without their object"
    assert objects - rows == set(), f"{len(objects - rows)} unreferenced CV objects"

    applications = set(Application.objects.values_list("pk", flat=True))
    lost = survivors - applications
    assert not lost, f"{len(lost)} applications lost"
    with_cv = set(CurriculumVitae.objects.values_list("application_id", flat=True))
    assert survivors <= with_cv, f"{len(survivors - with_cv)} survivors lost their CV"
    about = set(OutboundEmail.objects.values_list("subject_ref", flat=True))
    if confirmations:
        confirmed = set(
            OutboundEmail.objects.filter(template=CONFIRMATION).values_list(
                "subject_ref", flat=True
            )
        )
        missing = applications - confirmed
        assert not missing, f"{len(missing)} applications without their confirmation email"

    left = purged & applications
    assert not left, f"{len(left)} purged applications still have rows"
    assert not purged & about, "outbox emails about purged applications remain"
    records = list(
        ErasureRecord.objects.filter(application_id__in=purged).values_list(
            "application_id", flat=True
        )
    )
    assert sorted(records) == sorted(purged), "not exactly one ErasureRecord per purged one"
    assert not ErasureRecord.objects.filter(application_id__in=applications).exists(), (
        "an application with an ErasureRecord still exists"
    )
    assert ledger.verify().ok, "the erasure ledger's hash chain is broken"

    if purged_data:
        dump = database_dump()
        contents = bucket_contents()
        for value in purged_data:
            assert value not in dump, f"{value!r} survives in the database"
            assert value.encode() not in contents, f"{value!r} survives in the bucket"
