from django.apps import AppConfig


class TemplatesLibraryConfig(AppConfig):
    name = "templates_library"
    verbose_name = "Prompt library"
