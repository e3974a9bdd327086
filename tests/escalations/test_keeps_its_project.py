"""A project with urgent updates cannot be deleted out from under them (PROTECT): deleting it
is a clear refusal on the page and in the API, and nothing is deleted or audited."""

from __future__ import annotations

from django.test import Client

from core.models import AuditEvent
from projects.models import Project
from tests.conftest import sign_in
from tests.projects.org import client_for, send


def test_a_project_with_urgent_updates_is_not_deleted(world):
    world.raise_update()

    response = send(client_for(world.admin), "delete", f"/api/v1/projects/{world.project.pk}/")
    assert response.status_code == 400
    assert "urgent updates" in str(response.json())

    page = sign_in(Client(), world.admin)
    response = page.post(
        f"/projects/{world.project.slug}/delete/", {"confirm": world.project.name}, follow=True
    )
    assert response.status_code == 200
    assert "This project still has urgent updates" in response.content.decode()
    assert Project.objects.filter(pk=world.project.pk).exists()
    assert not AuditEvent.objects.filter(action="project.delete").exists()
