from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "agents.conversations"
    label = "conversations"
    verbose_name = "Conversations (inbound replies)"
