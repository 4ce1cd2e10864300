from django.conf import settings
from django.db import migrations

SCHEDULES = {
    # Schedules the outbox, recovers sends a dead worker left behind, and fans out the send tasks.
    "delivery tick": ("agents.tasks.delivery_tick_task", "SALESOPS_DELIVERY_TICK_MINUTES"),
    # Starts the follow-ups whose delay in business days has passed.
    "sequence tick": ("agents.tasks.sequence_tick_task", "SALESOPS_TICK_MINUTES"),
}


def schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for name, (func, minutes_setting) in SCHEDULES.items():
        Schedule.objects.update_or_create(
            name=name,
            defaults={
                "func": func,
                "schedule_type": "I",
                "minutes": getattr(settings, minutes_setting),
                "repeats": -1,
            },
        )


def unschedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name__in=list(SCHEDULES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0003_delivery"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
