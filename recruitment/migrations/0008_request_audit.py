# The audit log records what staff do with data-subject requests: six actions, and the
# request's id (a plain UUID, like application_id, so the record outlives the purge).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('recruitment', '0007_candidate_rights'),
    ]

    operations = [
        migrations.AlterField(
            model_name='accessevent',
            name='action',
            field=models.CharField(choices=[('view_application', 'Viewed application'), ('download_cv', 'Downloaded CV'), ('add_note', 'Added note'), ('edit_note', 'Edited note'), ('delete_note', 'Deleted note'), ('change_stage', 'Changed stage'), ('bulk_unsuccessful', 'Bulk marked unsuccessful'), ('assign_interviewer', 'Assigned interviewer'), ('unassign_interviewer', 'Unassigned interviewer'), ('conclude_process', 'Concluded recruitment process'), ('flag_under_age', 'Flagged as under-age'), ('view_pipeline', 'Viewed pipeline'), ('admin_view', 'Viewed in admin'), ('export', 'Exported data'), ('export_audit_log', 'Exported audit log'), ('place_legal_hold', 'Placed legal hold'), ('lift_legal_hold', 'Lifted legal hold'), ('record_request', 'Recorded data-subject request'), ('view_request', 'Viewed data-subject request'), ('assign_request', 'Took on data-subject request'), ('extend_request', 'Extended data-subject request'), ('resolve_request', 'Resolved data-subject request'), ('refuse_request', 'Refused data-subject request')], max_length=30),
        ),
        migrations.AddField(
            model_name='accessevent',
            name='request_id',
            field=models.UUIDField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='accessevent',
            index=models.Index(fields=['request_id'], name='accessevent_request'),
        ),
    ]
