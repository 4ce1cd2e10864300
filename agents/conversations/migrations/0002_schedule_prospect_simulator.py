from django.db import migrations


def schedule(apps, schema_editor):
    # Runs every minute; it does nothing unless SALESOPS_PROSPECT_SIMULATOR is on (development, demos).
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name="prospect simulator",
        defaults={
            "func": "agents.conversations.tasks.simulate_prospect_replies_task",
            "schedule_type": "I",
            "minutes": 1,
            "repeats": -1,
        },
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name="prospect simulator").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
