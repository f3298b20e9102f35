"""Issue 19, the talent pool: the CV's extracted text, the applications' search vector
and its GIN index, the `ats_search` text search configuration (simple + unaccent), the
`ats_translit` function (Serbian Cyrillic to Latin, recruitment.cvs.transliteration; a test
holds the two equal), and the audit actions of the pool.

The PostgreSQL parts do nothing on SQLite (the embedded default searches without them).
Existing applications get their vectors here, in one UPDATE; their CVs' text stays empty
(the files are not re-read: their cover letters and posting titles are searchable).
"""

import django.contrib.postgres.search
from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations, models

# Frozen copy of recruitment.cvs.transliteration.sql_function_body() at this migration.
TRANSLIT_BODY = "SELECT CASE WHEN $1 ~ '[абвгдђежзијклљмнњопрстћуфхцчџшАБВГДЂЕЖЗИЈКЛЉМНЊОПРСТЋУФХЦЧЏШ]' THEN translate(replace(replace(replace(replace(replace(replace($1, 'љ', 'lj'), 'Љ', 'Lj'), 'њ', 'nj'), 'Њ', 'Nj'), 'џ', 'dž'), 'Џ', 'Dž'), 'абвгдђежзијклмнопрстћуфхцчшАБВГДЂЕЖЗИЈКЛМНОПРСТЋУФХЦЧШ', 'abvgdđežzijklmnoprstćufhcčšABVGDĐEŽZIJKLMNOPRSTĆUFHCČŠ') ELSE $1 END"

POSTGRES_FORWARD = [
    "CREATE OR REPLACE FUNCTION ats_translit(text) RETURNS text "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$ " + TRANSLIT_BODY + " $fn$",
    "CREATE TEXT SEARCH CONFIGURATION ats_search (COPY = simple)",
    "ALTER TEXT SEARCH CONFIGURATION ats_search "
    "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple",
    "CREATE INDEX application_search ON recruitment_application USING gin (search_vector)",
    # The vectors of the applications already there (CV text empty until a new CV).
    "UPDATE recruitment_application a SET search_vector = "
    "setweight(to_tsvector('ats_search'::regconfig, ats_translit(coalesce(a.cover_letter, ''))), 'B')"
    " || setweight(to_tsvector('ats_search'::regconfig, ats_translit(coalesce(p.title, ''))), 'C')"
    " FROM recruitment_posting p WHERE p.id = a.posting_id",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS application_search",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS ats_search",
    "DROP FUNCTION IF EXISTS ats_translit(text)",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("recruitment", "0023_application_sources"),
    ]

    operations = [
        UnaccentExtension(),
        migrations.AddField(
            model_name="curriculumvitae",
            name="text",
            field=models.TextField(blank=True, default="", verbose_name="text"),
        ),
        migrations.AddField(
            model_name="application",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="accessevent",
            name="details",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AlterField(
            model_name='accessevent',
            name='action',
            field=models.CharField(choices=[('view_application', 'Viewed application'), ('download_cv', 'Downloaded CV'), ('add_note', 'Added note'), ('edit_note', 'Edited note'), ('delete_note', 'Deleted note'), ('change_stage', 'Changed stage'), ('bulk_unsuccessful', 'Bulk marked unsuccessful'), ('assign_interviewer', 'Assigned interviewer'), ('unassign_interviewer', 'Unassigned interviewer'), ('conclude_process', 'Concluded recruitment process'), ('flag_under_age', 'Flagged as under-age'), ('view_pipeline', 'Viewed pipeline'), ('admin_view', 'Viewed in admin'), ('admin_search_applications', 'Searched applications in admin'), ('admin_search_audit_log', 'Searched audit log in admin'), ('export', 'Exported data'), ('export_audit_log', 'Exported audit log'), ('place_legal_hold', 'Placed legal hold'), ('lift_legal_hold', 'Lifted legal hold'), ('export_candidate_data', 'Produced candidate data export'), ('download_candidate_export', 'Downloaded candidate data export'), ('record_request', 'Recorded data-subject request'), ('view_request', 'Viewed data-subject request'), ('assign_request', 'Took on data-subject request'), ('extend_request', 'Extended data-subject request'), ('resolve_request', 'Resolved data-subject request'), ('refuse_request', 'Refused data-subject request'), ('review_export_passage', 'Reviewed a passage of an export'), ('release_reviewed_export', 'Released a reviewed export'), ('publish_notice', 'Published privacy notice version'), ('publish_consent_text', 'Published consent text version'), ('reset_second_factor', "Reset a colleague's second factor"), ('search_pool', 'Searched the talent pool'), ('view_pool_person', 'Opened a person in the talent pool')], max_length=30),
        ),
        migrations.RunPython(forward, backward),
    ]
