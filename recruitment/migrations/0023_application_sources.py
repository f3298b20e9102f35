"""Where applications come from (issue 19): the allow-list of sources, each application's
source (existing ones: the careers site, the only way in until now), applications staff
record on a person's behalf (no age attested: `attested_min_age` may be null), and the source
in the anonymous statistics as a slug string (any slug the list ever held), seeded sources
for the built-in kinds, and the "Recruiters" group's permission to manage the list.
"""

from typing import Any

import django.db.models.deletion
from django.apps.registry import Apps
from django.contrib.auth.management import create_permissions
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

# (slug, name, kind): the built-in sources. Names are shown translated (by their kind).
BUILTIN_SOURCES = [
    ("careers", "Careers site", "careers_site"),
    ("email", "Email", "email"),
    ("job-fair", "Job fair", "job_fair"),
    ("referral", "Referral", "referral"),
    ("other", "Other", "other"),
]
GROUP = "Recruiters"
CODENAMES = ["add_source", "change_source", "view_source"]


def seed_sources(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    source_model = apps.get_model("recruitment", "Source")
    for slug, name, kind in BUILTIN_SOURCES:
        source_model.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "active": True, "builtin": True}
        )


def grant_recruiters(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # Permissions are normally created after all migrations; the group needs these now.
    app_config: Any = apps.get_app_config("recruitment")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=GROUP)
    group.permissions.add(
        *apps.get_model("auth", "Permission").objects.filter(
            content_type__app_label="recruitment", codename__in=CODENAMES
        )
    )


def revoke_recruiters(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(
            *apps.get_model("auth", "Permission").objects.filter(
                content_type__app_label="recruitment", codename__in=CODENAMES
            )
        )



class Migration(migrations.Migration):

    dependencies = [
        ('recruitment', '0022_posting_job_board_fields'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.CreateModel(
            name='Source',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(unique=True, verbose_name='slug')),
                ('name', models.CharField(max_length=100, verbose_name='name')),
                ('kind', models.CharField(choices=[('careers_site', 'Careers site'), ('email', 'Email'), ('job_fair', 'Job fair'), ('referral', 'Referral'), ('platform', 'Recruitment platform'), ('other', 'Other')], max_length=20, verbose_name='kind')),
                ('active', models.BooleanField(default=True, verbose_name='active')),
                ('builtin', models.BooleanField(default=False, editable=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'application source',
                'ordering': ['-builtin', 'name'],
            },
        ),
        migrations.RunPython(seed_sources, migrations.RunPython.noop),
        migrations.RunPython(grant_recruiters, revoke_recruiters),
        migrations.RemoveConstraint(
            model_name='applicationstatistic',
            name='statistic_source_is_known',
        ),
        migrations.AddField(
            model_name='application',
            name='recorded_by_staff',
            field=models.BooleanField(default=False, verbose_name='recorded by staff'),
        ),
        migrations.AlterField(
            model_name='application',
            name='attested_min_age',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='attested minimum age'),
        ),
        migrations.AlterField(
            model_name='applicationevent',
            name='kind',
            field=models.CharField(choices=[('submitted', 'Submitted'), ('stage_changed', 'Stage changed'), ('consent_given', 'Consent given'), ('interviewer_assigned', 'Interviewer assigned'), ('interviewer_unassigned', 'Interviewer unassigned'), ('details_corrected', 'Contact details corrected by the candidate'), ('cv_replaced', 'CV replaced by the candidate'), ('withdrawn', 'Withdrawn by the candidate'), ('restricted', "Processing restricted at the candidate's request"), ('restriction_lifted', 'Restriction lifted'), ('erasure_requested', 'Erasure requested by the candidate'), ('ended_by_conclusion', 'Ended by the conclusion of the process'), ('consent_confirmed', 'Consent confirmed by the candidate'), ('recorded_by_staff', 'Recorded by staff')], max_length=30),
        ),
        migrations.AlterField(
            model_name='applicationstatistic',
            name='source',
            field=models.CharField(default='careers', max_length=50, verbose_name='source'),
        ),
        migrations.AddConstraint(
            model_name='applicationstatistic',
            constraint=models.CheckConstraint(condition=models.Q(('source__regex', '^[-a-z0-9_]{1,50}$')), name='statistic_source_is_a_slug'),
        ),
        migrations.AddField(
            model_name='application',
            name='source',
            field=models.ForeignKey(default='careers', on_delete=django.db.models.deletion.PROTECT, related_name='applications', to='recruitment.source', to_field='slug', verbose_name='source'),
        ),
    ]
