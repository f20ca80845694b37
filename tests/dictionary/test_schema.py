"""`GET /api/dictionary/lookup` in the schema: bearer auth, its query, its body and every error status."""

from __future__ import annotations


def test_lookup_is_documented(client):
    schema = client.get("/api/schema?format=json").json()
    operation = schema["paths"]["/api/dictionary/lookup"]["get"]

    params = {p["name"]: p for p in operation["parameters"]}
    assert params["word"]["required"] is True
    assert params["reading"].get("required", False) is False
    assert {"cognitoBearer": []} in operation["security"]
    for status in ("400", "401", "404", "502", "504"):
        body = operation["responses"][status]["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/Error"}, status
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    output = schema["components"]["schemas"][ok["$ref"].rsplit("/", 1)[1]]
    assert set(output["properties"]) == {"word", "reading", "meanings", "jlpt", "common"}
    assert set(output["required"]) == {"word", "reading", "meanings", "common"}
