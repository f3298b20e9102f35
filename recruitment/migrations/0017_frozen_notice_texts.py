"""Each privacy notice version keeps its own text: `texts` ({language: HTML}) and `sha256`
({language: fingerprint}), so that a deploy or a catalogue edit no longer rewrites what a
published version says (PRIVACY.md P19).

The backfill is honest about what it can know: versions published before this migration
stored only their configuration snapshot (`content`), never their wording. Their text is
rendered here from today's template (`privacy/_notice_text.html`) and today's catalogues,
with each version's own snapshot, in every language configured today. That is what their
page showed on the day of this migration, not necessarily what a candidate read when they
applied: any change to the template or the catalogues made between a version's
publication and this migration is lost and cannot be recovered from the database. From this
migration on, the stored text is what the page shows, and it is never rendered again.
"""

from typing import Any

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def backfill(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # Today's rendering code, on purpose: there is no other wording to render them with.
    from recruitment.notices.texts import fingerprints, render_notice_texts

    NoticeVersion: Any = apps.get_model("recruitment", "NoticeVersion")
    for version in NoticeVersion.objects.filter(texts__isnull=True).order_by("number"):
        texts = render_notice_texts(version.content)
        version.texts = texts
        version.sha256 = fingerprints(texts)
        version.save(update_fields=["texts", "sha256"])


class Migration(migrations.Migration):
    dependencies = [
        ("recruitment", "0016_audit_search_actions"),
    ]

    operations = [
        migrations.AddField(
            model_name="noticeversion",
            name="texts",
            field=models.JSONField(null=True),
        ),
        migrations.AddField(
            model_name="noticeversion",
            name="sha256",
            field=models.JSONField(null=True),
        ),
        # Nothing to undo backwards: the columns are dropped.
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="noticeversion",
            name="texts",
            field=models.JSONField(),
        ),
        migrations.AlterField(
            model_name="noticeversion",
            name="sha256",
            field=models.JSONField(),
        ),
    ]
