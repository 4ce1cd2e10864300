from django.apps import AppConfig


class SalesopsConfig(AppConfig):
    name = "salesops"
    verbose_name = "salesops core"

    def ready(self):
        from salesops import signals  # noqa: F401  (connects the sign-in audit receivers)
