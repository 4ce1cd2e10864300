from django.db import migrations, models


def unqualify_meetings_not_held(apps, schema_editor):
    # Before this constraint a meeting still booked (even one days ahead) could be marked qualified and
    # counted toward the goal. Nobody can know whether it took place, so it loses the mark instead of
    # being guessed held; the rep marks it held and qualified again once it has.
    Meeting = apps.get_model("meetings", "Meeting")
    Meeting.objects.filter(qualified=True).exclude(status="held").update(qualified=False)


class Migration(migrations.Migration):

    dependencies = [
        ('meetings', '0002_schedule_ics_refresh'),
    ]

    operations = [
        migrations.RunPython(unqualify_meetings_not_held, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name='meeting',
            name='meeting_qualified_only_if_live',
        ),
        migrations.AddConstraint(
            model_name='meeting',
            constraint=models.CheckConstraint(condition=models.Q(('qualified', False), ('status', 'held'), _connector='OR'), name='meeting_qualified_only_if_held'),
        ),
    ]
