"""An unverified submission changes nothing of an existing person's (PRIVACY.md P22).

- Each application keeps the contact details typed into its form (`full_name`, `phone`),
  copied here from the person for applications made before.
- A consent counts once the owner of the address confirmed it (`confirmed_at`). Consents
  given in the portal were confirmed as they were given; boxes ticked on the public form
  before this change cannot be shown to come from the owner of the address, so they stay
  unconfirmed: the portal asks the owner to confirm them, and until then they keep nothing.
- Every application whose erasure date may have moved (any scheduled one, and every
  application of a concluded process that was not hired, which the conclusion now ends
  whatever its stage) is made due now: the sweep recomputes each inside its row lock,
  erasing what is due under the new rules and rescheduling the rest.
"""

from typing import Any

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone


def forwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Application: Any = apps.get_model("recruitment", "Application")
    Candidate: Any = apps.get_model("recruitment", "Candidate")
    RetentionConsent: Any = apps.get_model("recruitment", "RetentionConsent")
    person = Candidate.objects.filter(pk=OuterRef("candidate_id"))
    Application.objects.update(
        full_name=Subquery(person.values("full_name")[:1]),
        phone=Subquery(person.values("phone")[:1]),
    )
    RetentionConsent.objects.filter(channel="portal").update(confirmed_at=models.F("given_at"))
    Application.objects.filter(
        Q(purge_due_at__isnull=False)
        | (Q(posting__concluded_at__isnull=False) & ~Q(stage="hired"))
    ).update(purge_due_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("recruitment", "0013_privacy_officer_permission"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="full_name",
            field=models.CharField(default="", max_length=200, verbose_name="full name"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="application",
            name="phone",
            field=models.CharField(blank=True, max_length=40, verbose_name="phone"),
        ),
        migrations.AddField(
            model_name="retentionconsent",
            name="confirmed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="applicationevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("submitted", "Submitted"),
                    ("stage_changed", "Stage changed"),
                    ("consent_given", "Consent given"),
                    ("interviewer_assigned", "Interviewer assigned"),
                    ("interviewer_unassigned", "Interviewer unassigned"),
                    ("details_corrected", "Contact details corrected by the candidate"),
                    ("cv_replaced", "CV replaced by the candidate"),
                    ("withdrawn", "Withdrawn by the candidate"),
                    ("restricted", "Processing restricted at the candidate's request"),
                    ("restriction_lifted", "Restriction lifted"),
                    ("erasure_requested", "Erasure requested by the candidate"),
                    ("ended_by_conclusion", "Ended by the conclusion of the process"),
                    ("consent_confirmed", "Consent confirmed by the candidate"),
                ],
                max_length=30,
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
