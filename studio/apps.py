from django.apps import AppConfig


class StudioConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "studio"
    verbose_name = "Authoring studio"

    def ready(self):
        # The push task, registered with Celery in every process (the web's too), so a
        # push sent by name runs in-process when there is no broker.
        from studio import tasks  # noqa: F401
