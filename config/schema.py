"""The API's OpenAPI schema: drf-spectacular, plus the error responses every view can give.

drf-spectacular documents what a view declares. DRF itself also answers 400 (a body or query it
cannot parse or validate), 401/403 (authentication and permissions), 404 (a path parameter that
matches nothing), 413 (a body over the limits of config/api.py) and 415 (a body that is not JSON). Views that declare such a status keep their
own schema; the others get these generic ones, so every status code the API sends is documented.
"""

from drf_spectacular.authentication import BasicScheme
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.permissions import AllowAny


class FirstValueBasicScheme(BasicScheme):
    """Our Basic authentication (config/api.py) is HTTP Basic, as drf-spectacular says it."""

    target_class = "config.api.BasicAuthentication"


ERROR_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERRORS = {
    "description": "What was wrong: {'detail': …} or field → messages, or a list of messages.",
    "oneOf": [
        {"type": "object", "additionalProperties": {}},
        {"type": "array", "items": {}},
    ],
}
GENERIC = {
    "400": ("ValidationErrors", VALIDATION_ERRORS, "The request could not be parsed or validated."),
    "401": ("ErrorDetail", ERROR_DETAIL, "Authentication credentials were missing or wrong."),
    "403": ("ErrorDetail", ERROR_DETAIL, "Signed in, but not allowed to do this."),
    "404": ("ErrorDetail", ERROR_DETAIL, "Nothing matches the path parameters."),
    "413": ("ErrorDetail", ERROR_DETAIL, "The request body is larger than the API accepts."),
    "415": ("ErrorDetail", ERROR_DETAIL, "The request body is not JSON."),
}


class FirstValueAutoSchema(AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        parameters = operation.get("parameters", [])
        codes = set()
        if operation.get("requestBody"):
            codes |= {"400", "413", "415"}
        if any(p.get("in") == "query" for p in parameters):
            codes.add("400")
        if any(p.get("in") == "path" for p in parameters):
            codes.add("404")
        if not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            codes |= {"401", "403"}
        responses = operation.setdefault("responses", {})
        for code in sorted(codes):
            if code in responses or f"{code[0]}XX" in responses:
                continue
            name, schema, description = GENERIC[code]
            component = ResolvedComponent(
                name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema
            )
            self.registry.register_on_missing(component)
            responses[code] = {
                "content": {"application/json": {"schema": component.ref}},
                "description": description,
            }
        return operation
