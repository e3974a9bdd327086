def test_anonymous_dashboard_redirects_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_member_sees_dashboard(member_client):
    assert member_client.get("/").status_code == 200


def test_admin_without_mfa_goes_to_setup(admin_user, client):
    client.force_login(admin_user, backend="accounts.backends.BatonAuthenticationBackend")
    response = client.get("/")
    assert response.status_code == 302
    assert "/accounts/2fa/totp/activate" in response["Location"]


def test_anonymous_api_is_401(client, db):
    assert client.get("/api/schema/").status_code == 401


def test_healthz_public(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
