from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "agents.conversations"
    label = "conversations"
    verbose_name = "Conversations (inbound replies)"

    def ready(self):
        from anymail.signals import inbound

        from agents.conversations.services import anymail_inbound_received

        # Email service providers deliver replies through django-anymail's inbound webhooks.
        inbound.connect(anymail_inbound_received, dispatch_uid="salesops-anymail-inbound")
