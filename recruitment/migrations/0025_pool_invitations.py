"""Issue 19, invitations from the talent pool: the Invitation model, its audit action, and
the built-in "talent-pool" source that applications made through an invitation record; and
the audit action of an application staff record."""

import uuid

import django.db.models.deletion
from django.apps.registry import Apps
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

# Frozen copy of recruitment.models.TALENT_POOL at this migration.
TALENT_POOL_SOURCE = ("talent-pool", "Talent pool invitation", "talent_pool")


def seed_source(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    slug, name, kind = TALENT_POOL_SOURCE
    apps.get_model("recruitment", "Source").objects.get_or_create(
        slug=slug, defaults={"name": name, "kind": kind, "active": True, "builtin": True}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("recruitment", "0024_cv_text_and_pool_search"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="accessevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("view_application", "Viewed application"),
                    ("download_cv", "Downloaded CV"),
                    ("add_note", "Added note"),
                    ("edit_note", "Edited note"),
                    ("delete_note", "Deleted note"),
                    ("change_stage", "Changed stage"),
                    ("bulk_unsuccessful", "Bulk marked unsuccessful"),
                    ("assign_interviewer", "Assigned interviewer"),
                    ("unassign_interviewer", "Unassigned interviewer"),
                    ("conclude_process", "Concluded recruitment process"),
                    ("flag_under_age", "Flagged as under-age"),
                    ("view_pipeline", "Viewed pipeline"),
                    ("admin_view", "Viewed in admin"),
                    ("admin_search_applications", "Searched applications in admin"),
                    ("admin_search_audit_log", "Searched audit log in admin"),
                    ("export", "Exported data"),
                    ("export_audit_log", "Exported audit log"),
                    ("place_legal_hold", "Placed legal hold"),
                    ("lift_legal_hold", "Lifted legal hold"),
                    ("export_candidate_data", "Produced candidate data export"),
                    ("download_candidate_export", "Downloaded candidate data export"),
                    ("record_request", "Recorded data-subject request"),
                    ("view_request", "Viewed data-subject request"),
                    ("assign_request", "Took on data-subject request"),
                    ("extend_request", "Extended data-subject request"),
                    ("resolve_request", "Resolved data-subject request"),
                    ("refuse_request", "Refused data-subject request"),
                    ("review_export_passage", "Reviewed a passage of an export"),
                    ("release_reviewed_export", "Released a reviewed export"),
                    ("publish_notice", "Published privacy notice version"),
                    ("publish_consent_text", "Published consent text version"),
                    ("reset_second_factor", "Reset a colleague's second factor"),
                    ("search_pool", "Searched the talent pool"),
                    ("view_pool_person", "Opened a person in the talent pool"),
                    ("invite_from_pool", "Invited a person of the talent pool"),
                    ("record_application", "Recorded an application received elsewhere"),
                ],
                max_length=30,
            ),
        ),
        migrations.AlterField(
            model_name="source",
            name="kind",
            field=models.CharField(
                choices=[
                    ("careers_site", "Careers site"),
                    ("email", "Email"),
                    ("job_fair", "Job fair"),
                    ("referral", "Referral"),
                    ("platform", "Recruitment platform"),
                    ("other", "Other"),
                    ("talent_pool", "Talent pool invitation"),
                ],
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.CreateModel(
            name="Invitation",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("invited_by_username", models.CharField(max_length=150)),
                ("language", models.CharField(max_length=12, verbose_name="language")),
                ("created_at", models.DateTimeField(verbose_name="invited at")),
                ("expires_at", models.DateTimeField(verbose_name="link valid until")),
                ("token_hash", models.CharField(blank=True, max_length=64, null=True, unique=True)),
                (
                    "application",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="invitation",
                        to="recruitment.application",
                    ),
                ),
                (
                    "candidate",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="invitations",
                        to="recruitment.candidate",
                    ),
                ),
                (
                    "invited_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "posting",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="invitations",
                        to="recruitment.posting",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
                "indexes": [
                    models.Index(fields=["candidate", "created_at"], name="invitation_recent")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("candidate", "posting"), name="one_invitation_per_posting"
                    )
                ],
            },
        ),
        migrations.RunPython(seed_source, migrations.RunPython.noop),
    ]
