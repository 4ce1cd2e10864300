from django.conf import settings
from django.db import migrations


def schedule_tick(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name="campaign tick",
        defaults={
            "func": "agents.tasks.campaign_tick_all_task",
            "schedule_type": "I",
            "minutes": settings.SALESOPS_TICK_MINUTES,
            "repeats": -1,
        },
    )


def unschedule_tick(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name="campaign tick").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(schedule_tick, unschedule_tick)]
