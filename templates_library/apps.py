from django.apps import AppConfig


class TemplatesLibraryConfig(AppConfig):
    name = "templates_library"
    verbose_name = "Prompt library"

    def ready(self):
        # roles imports nothing above it; it validates versions through this builder.
        from roles.services import register_document_builder
        from templates_library.packfile import version_to_document

        register_document_builder(version_to_document)
