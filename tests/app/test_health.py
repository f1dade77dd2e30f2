"""GET /api/health."""

from __future__ import annotations

import hashlib

from app.config import get_settings


def test_health_answers_ok_with_versions(client):
    r = client.get("/api/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    weights = get_settings().weights.read_bytes()
    assert body["model_version"] == hashlib.sha256(weights).hexdigest()[:12]
    assert body["app_version"]


def test_health_version_matches_model_info(client):
    assert (
        client.get("/api/health").json()["model_version"]
        == client.get("/api/model").json()["version"]
    )


def test_health_rejects_post(client):
    assert client.post("/api/health").status_code == 405
