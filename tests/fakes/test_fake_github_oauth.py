"""The GitHub double's OAuth web flow and user-token routes behave as GitHub describes them."""

from __future__ import annotations

import urllib.parse

import requests

from fakes.github import FakeGitHub


def _authorize(fake: FakeGitHub, state: str = "s1") -> dict[str, str]:
    query = {"client_id": fake.oauth.client_id, "redirect_uri": "http://127.0.0.1:9/cb", "state": state}
    answer = requests.get(f"{fake.base_url}/login/oauth/authorize", params=query, allow_redirects=False, timeout=10)
    assert answer.status_code == 302 and answer.headers["Location"].startswith("http://127.0.0.1:9/cb?")
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer.headers["Location"]).query))


def _exchange(fake: FakeGitHub, code: str, *, secret: str | None = None, json: bool = True) -> requests.Response:
    form = {
        "client_id": fake.oauth.client_id,
        "client_secret": secret or fake.oauth.client_secret,
        "code": code,
        "redirect_uri": "http://127.0.0.1:9/cb",
    }
    headers = {"Accept": "application/json"} if json else {}
    return requests.post(f"{fake.base_url}/login/oauth/access_token", data=form, headers=headers, timeout=10)


def test_a_code_is_worth_one_user_token_that_reads_the_users_repositories(fake_github: FakeGitHub) -> None:
    fake = fake_github
    fake.add_repo("acme/a", private=True)
    fake.add_repo("acme/b", private=True)
    fake.add_repo("acme/public")  # public, but ann has no explicit permission on it: not listed
    fake.set_permission("acme/a", "ann", "maintain")
    fake.sign_in_as("ann")
    back = _authorize(fake)
    assert back["state"] == "s1"
    token = _exchange(fake, back["code"]).json()["access_token"]
    assert token.startswith("ghu_")
    again = _exchange(fake, back["code"]).json()
    assert again["error"] == "bad_verification_code", "a code is single-use"
    auth = {"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json"}
    assert requests.get(f"{fake.base_url}/user", headers=auth, timeout=10).json()["login"] == "ann"
    installations = requests.get(f"{fake.base_url}/user/installations", headers=auth, timeout=10).json()
    [installation] = installations["installations"]
    url = f"{fake.base_url}/user/installations/{installation['id']}/repositories"
    [repo] = requests.get(url, headers=auth, timeout=10).json()["repositories"]
    assert repo["full_name"] == "acme/a"
    assert repo["permissions"] == {"admin": False, "maintain": True, "push": True, "triage": True, "pull": True}
    assert requests.get(url, timeout=10).status_code == 401


def test_wrong_secrets_and_a_denial_are_refused_as_github_refuses_them(fake_github: FakeGitHub) -> None:
    fake = fake_github
    fake.sign_in_as("ann")
    code = _authorize(fake)["code"]
    wrong = _exchange(fake, code, secret="not-it", json=False)
    assert wrong.status_code == 200 and "error=incorrect_client_credentials" in wrong.text  # a form, by default
    fake.sign_in_as(None)
    assert _authorize(fake)["error"] == "access_denied"
    foreign = requests.get(
        f"{fake.base_url}/login/oauth/authorize",
        params={"client_id": "someone-else"},
        allow_redirects=False,
        timeout=10,
    )
    assert foreign.status_code == 404
