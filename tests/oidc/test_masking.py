"""Every credential gets an `::add-mask::` line the runner understands, and the package's surface is guarded."""

from __future__ import annotations

import bot.adapters.oidc as oidc
from bot.adapters.oidc import add_mask, add_masks


def test_one_value_one_command() -> None:
    assert add_mask("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY") == (
        "::add-mask::wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n"
    )


def test_a_multi_line_value_is_masked_line_by_line() -> None:
    pem = "-----BEGIN KEY-----\nMIIEvQIBADANBg\r\nkqhkiG9w0BAQEF\n-----END KEY-----\n"
    assert add_mask(pem).splitlines() == [
        "::add-mask::-----BEGIN KEY-----",
        "::add-mask::MIIEvQIBADANBg",
        "::add-mask::kqhkiG9w0BAQEF",
        "::add-mask::-----END KEY-----",
    ]


def test_a_value_cannot_smuggle_another_workflow_command() -> None:
    lines = add_mask("secret\n::set-output name=x::y").splitlines()
    assert all(line.startswith("::add-mask::") for line in lines)


def test_percent_is_escaped_as_the_runner_unescapes_it() -> None:
    assert add_mask("a%0Ab") == "::add-mask::a%250Ab\n"


def test_blank_values_mask_nothing() -> None:
    # Masking an empty string would star out nothing useful and clutters the log.
    assert add_mask("") == "" and add_mask("  \n") == ""


def test_several_values() -> None:
    assert add_masks(["a1", "b2"]) == "::add-mask::a1\n::add-mask::b2\n"


def test_the_public_surface() -> None:
    assert sorted(oidc.__all__) == [
        "ActionsTokenRequest",
        "AwsCredentials",
        "GcpAccessToken",
        "IdToken",
        "access_token_for_job",
        "action_credentials_env",
        "add_mask",
        "add_masks",
        "assume_role",
        "credentials_for_job",
        "exchange_for_access_token",
        "request_verified_id_token",
        "role_session_name",
        "verify_id_token",
    ]
