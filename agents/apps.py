from django.apps import AppConfig


class AgentsConfig(AppConfig):
    name = "agents"
    verbose_name = "Agent team"

    def ready(self):
        from agents.delivery.suppression import workspace_suppressions
        from agents.outreach.tasks import enqueue_campaign_tick
        from agents.team import offline_handlers  # noqa: F401  (registers each agent's rule-based handler)
        from campaigns import hooks

        # An activated campaign starts working at once instead of at the next scheduled tick.
        hooks.on_campaign_activated.append(enqueue_campaign_tick)
        # A campaign's audience leaves out whom the suppression list covers.
        hooks.suppression_readers.append(workspace_suppressions)
