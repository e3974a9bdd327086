"""From the ownership map to a project and back: the map's links to a project say which view
and filters they came from, and the project page links back to that view, filtered as it was.
The parameters come from the address bar, so junk in them is dropped, never echoed."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.http import QueryDict
from django.test import Client

from projects.views.map import back_to_map
from tests.conftest import sign_in


@pytest.fixture
def world(org):
    org.p_ship = org.project(owner=org.member, name="Ship it")
    for n in range(4):  # an overloaded owner: the risks page links these projects
        org.project(owner=org.lead, name=f"Critical {n}", critical=True)
    return org


def hrefs(body: str, text: str) -> list[str]:
    """The unescaped href of every link whose text is `text`."""
    return [
        unescape(href)
        for href, inner in re.findall(r'<a href="([^"]+)"[^>]*>([^<]*)</a>', body)
        if inner.strip() == text
    ]


def test_table_links_carry_the_view_and_filters_and_the_project_links_back(world):
    client = sign_in(Client(), world.manager)
    body = client.get(f"/ownership-map/table/?team={world.team.pk}&country=gb").content.decode()
    [link] = hrefs(body, "Ship it")
    assert link == (
        f"/projects/{world.p_ship.slug}/?team={world.team.pk}&country=GB&from_map=table"
    )
    page = client.get(link).content.decode()
    [back] = hrefs(page, "Ownership map: table (filtered)")
    assert back == f"/ownership-map/table/?team={world.team.pk}&country=GB"
    assert client.get(back).status_code == 200


def test_graph_and_risks_links_carry_their_view(world):
    client = sign_in(Client(), world.manager)
    graph = client.get("/ownership-map/?health=none").content.decode()
    assert 'data-project-url="/projects/SLUG/?health=none&amp;from_map=graph"' in graph
    risks = client.get("/ownership-map/risks/").content.decode()
    assert hrefs(risks, "Critical 0") == [
        f"/projects/{slug_of(world, 'Critical 0')}/?from_map=risks"
    ]
    page = client.get(f"/projects/{world.p_ship.slug}/?from_map=graph").content.decode()
    assert hrefs(page, "Ownership map: graph") == ["/ownership-map/"]


def slug_of(world, name: str) -> str:
    from projects.models import Project

    return Project.objects.get(name=name).slug


def test_a_project_opened_elsewhere_has_no_link_back(world):
    page = sign_in(Client(), world.manager).get(f"/projects/{world.p_ship.slug}/")
    assert "Ownership map:" not in page.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("from_map=table", "/ownership-map/table/"),
        ("from_map=sun&team=7", "/ownership-map/sun/?team=7"),
        ("from_map=risks&team=0&country=ZZ&health=great", "/ownership-map/risks/"),
        ("from_map=table&team=1.5&country=nzl", "/ownership-map/table/"),
        ("from_map=table&team=99999999999999999999", "/ownership-map/table/"),
        ("from_map=table&team=%D9%A3", "/ownership-map/table/"),  # an Arabic-Indic 3
        (
            "from_map=table&health=none&country=%20nz%20",
            "/ownership-map/table/?country=NZ&health=none",
        ),
        ("from_map=table&country=%22%3E%3Cscript%3E", "/ownership-map/table/"),
    ],
)
def test_back_link_keeps_only_valid_filters(query, expected):
    assert back_to_map(QueryDict(query))["url"] == expected


@pytest.mark.parametrize("query", ["", "from_map=", "from_map=//evil.example", "from_map=TABLE"])
def test_no_back_link_without_a_known_view(query):
    assert back_to_map(QueryDict(query)) is None
