from django.db import migrations


def schedule(apps, schema_editor):
    # Every five minutes: stored mail no worker finished is picked up again (see inbound_requeue_stale).
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name="inbound requeue stale",
        defaults={
            "func": "agents.conversations.tasks.inbound_requeue_stale_task",
            "schedule_type": "I",
            "minutes": 5,
            "repeats": -1,
        },
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name="inbound requeue stale").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0003_inbound_claim"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
