"""Stored outbox rows name their template by its full path, as `queue_email` now takes it.

Rows keep their rendered text, so nothing is rendered again; the name matters because
`sent_recently` compares it (a row queued under the short name before the deploy must still
stop a repeated "already applied" email) and because a data export shows it.
"""

from typing import Any

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

# The short names the outbox resolved under notifications/email/ until this migration.
FULL_PATHS = {
    "application_received": "careers/emails/application_received",
    "already_applied": "careers/emails/already_applied",
    "application_unsuccessful": "pipeline/emails/application_unsuccessful",
    "consent_expiring": "retention/emails/consent_expiring",
    "data_deleted": "retention/emails/data_deleted",
    "data_kept_with_consent": "retention/emails/data_kept_with_consent",
    "hold_reviews_overdue": "retention/emails/hold_reviews_overdue",
    "portal_link": "rights/emails/portal_link",
    "data_erased_on_request": "rights/emails/data_erased_on_request",
    "request_extended": "rights/emails/request_extended",
    "request_reminder": "rights/emails/request_reminder",
    "request_overdue": "rights/emails/request_overdue",
    "request_extension_void": "rights/emails/request_extension_void",
    "request_erased_unanswered": "rights/emails/request_erased_unanswered",
}


def _rename(apps: Apps, names: dict[str, str]) -> None:
    OutboundEmail: Any = apps.get_model("notifications", "OutboundEmail")
    for old, new in names.items():
        OutboundEmail.objects.filter(template=old).update(template=new)


def to_full_paths(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _rename(apps, FULL_PATHS)


def to_short_names(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _rename(apps, {new: old for old, new in FULL_PATHS.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_outboundemail_personal_link"),
    ]

    operations = [
        migrations.RunPython(to_full_paths, to_short_names, elidable=True),
    ]
