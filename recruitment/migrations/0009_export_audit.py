# The audit log records a privacy officer producing and downloading a candidate's data export
# (PRIVACY.md P10). Choices only: no change to the table.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('recruitment', '0008_request_audit'),
    ]

    operations = [
        migrations.AlterField(
            model_name='accessevent',
            name='action',
            field=models.CharField(choices=[('view_application', 'Viewed application'), ('download_cv', 'Downloaded CV'), ('add_note', 'Added note'), ('edit_note', 'Edited note'), ('delete_note', 'Deleted note'), ('change_stage', 'Changed stage'), ('bulk_unsuccessful', 'Bulk marked unsuccessful'), ('assign_interviewer', 'Assigned interviewer'), ('unassign_interviewer', 'Unassigned interviewer'), ('conclude_process', 'Concluded recruitment process'), ('flag_under_age', 'Flagged as under-age'), ('view_pipeline', 'Viewed pipeline'), ('admin_view', 'Viewed in admin'), ('export', 'Exported data'), ('export_audit_log', 'Exported audit log'), ('place_legal_hold', 'Placed legal hold'), ('lift_legal_hold', 'Lifted legal hold'), ('export_candidate_data', 'Produced candidate data export'), ('download_candidate_export', 'Downloaded candidate data export'), ('record_request', 'Recorded data-subject request'), ('view_request', 'Viewed data-subject request'), ('assign_request', 'Took on data-subject request'), ('extend_request', 'Extended data-subject request'), ('resolve_request', 'Resolved data-subject request'), ('refuse_request', 'Refused data-subject request')], max_length=30),
        ),
    ]
