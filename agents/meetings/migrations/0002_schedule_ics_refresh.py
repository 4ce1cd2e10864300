from django.db import migrations


def schedule_refresh(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name="calendar feeds refresh",
        defaults={
            "func": "agents.meetings.tasks.ics_feeds_refresh_task",
            "schedule_type": "H",
            "repeats": -1,
        },
    )


def unschedule_refresh(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name="calendar feeds refresh").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(schedule_refresh, unschedule_refresh)]
