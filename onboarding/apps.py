from importlib import import_module

from django.apps import AppConfig
from django.db.models.signals import pre_delete


class OnboardingConfig(AppConfig):
    name = "onboarding"
    verbose_name = "Onboarding"

    def ready(self) -> None:
        # Register the Celery tasks in every process (web, commands, tests), not only in
        # workers: the services enqueue them by name (see onboarding.sending.enqueue).
        import_module(f"{self.name}.tasks")
        # Deleting an enrollment waits for a running sweep: its sends have no database-level
        # foreign key to stop that sweep from leaving one behind (triggers.py).
        from .models import Enrollment
        from .triggers import sweep_lock_for_deletion

        pre_delete.connect(
            sweep_lock_for_deletion,
            sender=Enrollment,
            dispatch_uid="onboarding.sweep_lock_for_deletion",
        )
