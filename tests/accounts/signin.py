"""Signing in the real way, through allauth's form with the test Client
(tests/accounts/test_signin.py and test_signin_unlock.py): no shortcut, so the pieces (allauth,
MFA, axes, default deny, audit) are proven together."""

from __future__ import annotations

import itertools

from django.test import Client

from tests.factories import PersonFactory

PASSWORD = "correct-horse-battery"  # PersonFactory's default

# Each client gets its own address, so allauth's per-IP rate limit and axes' per-IP lockout
# never carry over between tests that share a cache.
_addresses = (f"10.77.{n // 250}.{n % 250 + 1}" for n in itertools.count())


def new_client() -> Client:
    return Client(REMOTE_ADDR=next(_addresses))


def password_step(client: Client, username: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"login": username, "password": password})


def sign_in_new_person(password: str = PASSWORD, *, login: str = "username", **person_fields):
    """A new person (PersonFactory(**person_fields)) and a client of its own that posted the
    sign-in form with their `login` ("username" or "email") and `password`: (person, client,
    the form's response)."""
    person = PersonFactory(**person_fields)
    client = new_client()
    return person, client, password_step(client, getattr(person, login), password)


def assert_dashboard(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200, response.get("Location")


def assert_sent_to_sign_in(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
