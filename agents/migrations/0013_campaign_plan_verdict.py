from django.db import migrations, models

VERDICTS = [
    ('on_track', 'On track'),
    ('at_risk', 'At risk'),
    ('off_track', 'Off track'),
    ('reached', 'Goal reached'),
    ('not_started', 'Not started'),
    ('over', 'Period over'),
    ('no_goal', 'No goal set'),
]


def verdict_from_on_track(apps, schema_editor):
    # The plans made before kept a yes/no: "not on track" is what opened the escalation, now "off_track".
    CampaignPlan = apps.get_model('agents', 'CampaignPlan')
    CampaignPlan.objects.filter(on_track=True).update(verdict='on_track')
    CampaignPlan.objects.filter(on_track=False).update(verdict='off_track')


def on_track_from_verdict(apps, schema_editor):
    CampaignPlan = apps.get_model('agents', 'CampaignPlan')
    CampaignPlan.objects.update(on_track=True)
    CampaignPlan.objects.filter(verdict='off_track').update(on_track=False)


class Migration(migrations.Migration):

    dependencies = [
        ('agents', '0012_campaign_plan_learned'),
    ]

    operations = [
        migrations.AddField(
            model_name='campaignplan',
            name='verdict',
            field=models.CharField(choices=VERDICTS, default='on_track', max_length=16),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name='campaignplan',
            name='on_track',
            field=models.BooleanField(default=True),
        ),
        migrations.RunPython(verdict_from_on_track, on_track_from_verdict),
        migrations.RemoveField(
            model_name='campaignplan',
            name='on_track',
        ),
        migrations.AddConstraint(
            model_name='campaignplan',
            constraint=models.CheckConstraint(condition=models.Q(('verdict__in', ['on_track', 'at_risk', 'off_track', 'reached', 'not_started', 'over', 'no_goal'])), name='campaign_plan_verdict_valid'),
        ),
    ]
