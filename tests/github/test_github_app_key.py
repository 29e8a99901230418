"""The App's private key: validated at start, loaded from a file or an env value, and never shown."""

from __future__ import annotations

import pickle
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from bot.adapters.github.app_auth import GitHubApp, PrivateKey, load_private_key, normalize_api_url
from bot.adapters.github.secrets import scrub
from bot.errors import UserError


@pytest.fixture(scope="module")
def rsa_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()


def body_of(pem: str) -> str:
    return pem.splitlines()[1]  # a line of the key material itself


def test_key_from_file_signs_an_rs256_app_jwt(tmp_path: Path, rsa_pem: str) -> None:
    path = tmp_path / "app.pem"
    path.write_text(rsa_pem)
    key = load_private_key(path=path)
    token = key.sign({"iss": "42", "iat": 1, "exp": 2})
    public = serialization.load_pem_private_key(rsa_pem.encode(), None).public_key()
    claims = jwt.decode(token, public, algorithms=["RS256"], options={"verify_exp": False, "verify_iat": False})  # type: ignore[arg-type]
    assert claims["iss"] == "42"


def test_key_from_an_env_value_with_escaped_newlines(rsa_pem: str) -> None:
    key = load_private_key(value=rsa_pem.replace("\n", "\\n"))
    assert key.fingerprint.startswith("SHA256:")


def test_the_key_is_never_shown(rsa_pem: str) -> None:
    key = PrivateKey(rsa_pem)
    app = GitHubApp(1, key, "https://ghe.example.com/api/v3")
    for text in (repr(key), str(key), repr(app), repr(app.tokens), repr(app.client(7).requester.auth)):
        assert body_of(rsa_pem) not in text
        assert "PRIVATE KEY" not in text
    assert repr(key).startswith("PrivateKey(RSA 2048 bits, SHA256:")
    with pytest.raises(TypeError):
        pickle.dumps(key)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("not a key", "not a PEM-encoded RSA private key"),
        ("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n", "not a PEM-encoded RSA private key"),
    ],
)
def test_a_bad_key_is_a_clear_error_without_the_key(text: str, problem: str) -> None:
    with pytest.raises(UserError) as caught:
        PrivateKey(text)
    assert problem in str(caught.value)
    assert "AAAA" not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_an_ec_key_is_refused() -> None:
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(UserError, match="not a PEM-encoded RSA private key"):
        PrivateKey(pem)


def test_an_encrypted_key_is_refused_with_the_reason(rsa_pem: str) -> None:
    key = serialization.load_pem_private_key(rsa_pem.encode(), None)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"pw")
    )
    with pytest.raises(UserError, match="encrypted with a passphrase"):
        PrivateKey(pem)


def test_missing_file_and_missing_setting(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="cannot read the private key file"):
        load_private_key(path=tmp_path / "nope.pem")
    with pytest.raises(UserError, match="no private key is configured"):
        load_private_key()


@pytest.mark.parametrize(
    ("url", "normalized"),
    [
        ("https://api.github.com/", "https://api.github.com"),
        ("https://github.com", "https://api.github.com"),
        ("https://ghe.example.com/api/v3/", "https://ghe.example.com/api/v3"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ],
)
def test_api_urls(url: str, normalized: str) -> None:
    assert normalize_api_url(url) == normalized


def test_a_bad_api_url_is_refused() -> None:
    with pytest.raises(UserError, match="not an http"):
        normalize_api_url("ftp://x")


def test_scrub_removes_tokens_jwts_and_keys(rsa_pem: str) -> None:
    text = f"a ghs_{'x' * 36} b eyJhbGciOi.eyJpc3Mi.c2lnbmF0dXJl c {rsa_pem} d"
    cleaned = scrub(text)
    assert "ghs_" not in cleaned and "eyJ" not in cleaned and "PRIVATE KEY" not in cleaned
    assert cleaned.startswith("a [secret removed] b [secret removed] c [secret removed]")
