from django.apps import AppConfig


class InsightsConfig(AppConfig):
    """Dashboards, goal tracking, cost, the admins' audit timeline, learning from people, policy dry-runs."""

    name = "agents.insights"
    label = "insights"
    verbose_name = "Insights"
