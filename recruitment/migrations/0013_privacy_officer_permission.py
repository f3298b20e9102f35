"""The privacy officer's own permission, `recruitment.act_as_privacy_officer`.

Until now the privacy officer's powers (erasure, exports of anyone, legal holds, retention,
requests, privacy texts) hung on `view_accessevent`, so whoever may read the audit log had them
all. The "Privacy officers" group gets the new permission and keeps `view_accessevent`, which
now means reading the audit log and nothing more.
"""

from typing import Any

from django.apps.registry import Apps
from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

GROUP = "Privacy officers"
CODENAME = "act_as_privacy_officer"


def _permission(apps: Apps) -> Any:
    # Permissions are normally created after all migrations; the group needs this one now.
    app_config = apps.get_app_config("recruitment")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    return apps.get_model("auth", "Permission").objects.get(
        content_type__app_label="recruitment", codename=CODENAME
    )


def grant(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    permission = _permission(apps)
    for group in apps.get_model("auth", "Group").objects.filter(name=GROUP):
        group.permissions.add(permission)


def revoke(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for group in apps.get_model("auth", "Group").objects.filter(name=GROUP):
        group.permissions.remove(
            *group.permissions.filter(content_type__app_label="recruitment", codename=CODENAME)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("recruitment", "0012_privacy_text_versions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="datasubjectrequest",
            options={
                "ordering": ["due_at"],
                "permissions": [("act_as_privacy_officer", "Can act as privacy officer")],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
