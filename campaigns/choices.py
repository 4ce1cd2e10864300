"""Choices of campaigns' models that code without the ORM needs too (the agents, which run in processes
that load no Django app, name signal kinds in what they write)."""

from django.db import models


class SignalKind(models.TextChoices):
    FUNDING = "funding", "Funding round"
    JOB_CHANGE = "job_change", "Job change"
    HIRING = "hiring", "Hiring"
    PRODUCT_USAGE = "product_usage", "Product usage"
    SUPPORT_TICKET = "support_ticket", "Support ticket"
    WEB_INTENT = "web_intent", "Web intent"
    NEWS = "news", "News"
