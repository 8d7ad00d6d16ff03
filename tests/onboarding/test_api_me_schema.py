"""Every status the person's and the manager's endpoints can answer is in the OpenAPI schema."""

from drf_spectacular.generators import SchemaGenerator

EXPECTED = {
    ("/api/me/", "get"): {"200", "401", "403", "404"},
    ("/api/me/fvm/", "post"): {"201", "400", "401", "403", "404", "409"},
    ("/api/me/steps/{step_id}/complete/", "post"): {"200", "401", "403", "404"},
    ("/api/me/steps/{step_id}/complete/", "delete"): {"204", "401", "403", "404"},
    ("/api/team/", "get"): {"200", "401", "403"},
}


def test_the_schema_documents_every_status_code():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for (path, method), codes in EXPECTED.items():
        documented = set(schema["paths"][path][method]["responses"])
        assert codes <= documented, (path, method, codes - documented)


def test_the_fvm_request_body_is_documented_with_its_fields():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    body = schema["paths"]["/api/me/fvm/"]["post"]["requestBody"]["content"]["application/json"]
    ref = body["schema"]["$ref"].rsplit("/", 1)[-1]
    component = schema["components"]["schemas"][ref]
    assert set(component["required"]) == {"minutes_taken", "evidence", "rating"}
    assert component["properties"]["rating"]["minimum"] == 1
    assert component["properties"]["rating"]["maximum"] == 5
    assert component["properties"]["minutes_taken"]["type"] == "integer"
