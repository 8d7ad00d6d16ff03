from importlib import import_module

from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "onboarding"
    verbose_name = "Onboarding"

    def ready(self) -> None:
        # Register the Celery tasks in every process (web, commands, tests), not only in
        # workers: the services enqueue them by name (see onboarding.sending.enqueue).
        import_module(f"{self.name}.tasks")
