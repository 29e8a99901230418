"""Short-lived cloud credentials from the GitHub Actions ID token (OIDC): verify it, exchange it, mask it."""

from bot.adapters.oidc.action_credentials import action_credentials_env
from bot.adapters.oidc.actions_token import ActionsTokenRequest, IdToken, request_verified_id_token, verify_id_token
from bot.adapters.oidc.aws import AwsCredentials, assume_role, credentials_for_job, role_session_name
from bot.adapters.oidc.gcp import GcpAccessToken, access_token_for_job, exchange_for_access_token
from bot.adapters.oidc.masking import add_mask, add_masks

__all__ = [
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
