"""Liveness and readiness endpoints."""

import pytest
from django.test import Client

from ats import health


def test_healthz_answers_without_touching_dependencies(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_every_dependency_ok(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok", "storage": "ok"}


@pytest.mark.django_db
def test_readyz_is_503_and_names_the_dependency_that_is_down(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def storage_down() -> None:
        raise ConnectionRefusedError

    monkeypatch.setitem(health.CHECKS, "storage", storage_down)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == "unavailable"
    assert response.json()["checks"]["database"] == "ok"
