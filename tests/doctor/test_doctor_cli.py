"""`olympus doctor` as a user runs it: a subprocess against moto's IAM over HTTP, exit codes and printed findings."""

from __future__ import annotations

import json
from typing import Any

import pytest
from doctor_emulator import ACCOUNT, Emulator

from bot.domain.trust_analysis import analyse_trust_policy
from bot.domain.trust_policy import trust_policy_for

REPO = "octo-org/infra"
SUB = "token.actions.githubusercontent.com:sub"
AUD = "token.actions.githubusercontent.com:aud"
READ_ONLY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}],
}
WRITE_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


def good_roles(emulator: Emulator, environment: str = "production") -> tuple[str, str]:
    plan_trust = trust_policy_for(ACCOUNT, REPO, role="plan", drift_branch="main")
    plan = emulator.create_role("plan", plan_trust, inline=READ_ONLY)
    apply = emulator.create_role(
        "apply", trust_policy_for(ACCOUNT, REPO, role="apply", environment=environment), managed=WRITE_ALL
    )
    return plan, apply


def doctor(emulator: Emulator, plan: str, apply: str, *extra: str, repo: str = REPO) -> Any:
    return emulator.run_doctor("--plan-role", plan, "--apply-role", apply, "--repo", repo, "--skip-github", *extra)


def test_correct_roles_pass(emulator: Emulator) -> None:
    plan, apply = good_roles(emulator)
    done = doctor(emulator, plan, apply)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"plan role {plan}\n  ok" in done.stdout
    assert f"apply role {apply}\n  ok" in done.stdout
    assert "All is well" in done.stdout


def test_a_plan_role_the_drift_check_cannot_assume_is_a_note(emulator: Emulator) -> None:
    plan = emulator.create_role("plan", trust_policy_for(ACCOUNT, REPO, role="plan"), inline=READ_ONLY)
    _, apply = good_roles(emulator)
    done = doctor(emulator, plan, apply, "--base", "trunk")
    assert done.returncode == 0, done.stdout + done.stderr  # a note: pull requests still plan
    assert "note[plan-without-drift]" in done.stdout
    assert f"'repo:{REPO}:ref:refs/heads/trunk'" in done.stdout


def test_another_environment_is_checked(emulator: Emulator) -> None:
    plan, apply = good_roles(emulator, environment="prod-eu")
    assert doctor(emulator, plan, apply, "--environment", "prod-eu").returncode == 0
    done = doctor(emulator, plan, apply)  # the default, production, is not what the apply role trusts
    assert done.returncode == 2
    assert "error[apply-not-bound-to-environment]" in done.stdout
    assert f'"{SUB}": "repo:{REPO}:environment:production"' in done.stdout


def test_bad_roles_are_reported_with_fixes(emulator: Emulator) -> None:
    # The classic mistakes: the plan role has no audience, a wildcard subject and write access; the apply role
    # trusts any ref of the repository and puts ForAllValues on the subject.
    plan = emulator.create_role(
        "plan",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {
                        "Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
                    },
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {"StringLike": {SUB: "repo:octo-org/*"}},
                }
            ],
        },
        managed=WRITE_ALL,
    )
    apply = emulator.create_role(
        "apply",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {
                        "Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
                    },
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {AUD: "sts.amazonaws.com"},
                        "ForAllValues:StringLike": {SUB: f"repo:{REPO}:*"},
                    },
                }
            ],
        },
    )
    done = doctor(emulator, plan, apply)
    assert done.returncode == 2, done.stdout + done.stderr
    out = done.stdout
    for code in ("no-audience", "wildcard-subject", "plan-role-can-write", "for-all-values-subject"):
        assert f"error[{code}]" in out
    assert "any workflow in any repository of octo-org" in out
    assert '["s3:*"]' in out
    assert f'fix: add {{"StringEquals": {{"{AUD}": "sts.amazonaws.com"}}}}' in out
    assert f'{{"StringEquals": {{"{SUB}": "repo:{REPO}:environment:production"}}}}' in out
    assert "problems to fix" in out
    assert out.count("    fix: ") == out.count("error[") + out.count("note[")
    assert "Traceback" not in done.stderr


def test_plan_role_lock_writes_are_a_note_and_pass(emulator: Emulator) -> None:
    lock = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::tf-state/infra.tfstate"},
            {
                "Effect": "Allow",
                "Action": ["dynamodb:PutItem", "dynamodb:DeleteItem"],
                "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/tf-locks",
            },
        ],
    }
    plan = emulator.create_role("plan", trust_policy_for(ACCOUNT, REPO, role="plan"), managed=lock)
    _, apply = good_roles(emulator)
    done = doctor(emulator, plan, apply)
    assert done.returncode == 0, done.stdout
    assert "note[plan-role-writes-state]" in done.stdout and "tf-locks" in done.stdout


def test_one_role_for_both_is_a_problem(emulator: Emulator) -> None:
    plan, _ = good_roles(emulator)
    done = doctor(emulator, plan, plan)
    assert done.returncode == 2
    assert "error[same-role]" in done.stdout


def test_print_trust_policy_prints_policies_that_pass(emulator: Emulator) -> None:
    plan = f"arn:aws:iam::{ACCOUNT}:role/not-created-yet-plan"
    apply = "arn:aws:iam::210987654321:role/ci/not-created-yet-apply"
    done = emulator.run_doctor(
        "--plan-role", plan, "--apply-role", apply, "--repo", REPO, "--environment", "prod", "--print-trust-policy"
    )
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert set(printed) == {"plan", "apply"}
    plan_policy = printed["plan"]
    findings = analyse_trust_policy(plan_policy, owner_repo=REPO, role="plan", account_id=ACCOUNT, drift_branch="main")
    assert findings == []
    assert f"repo:{REPO}:ref:refs/heads/main" in plan_policy["Statement"][0]["Condition"]["StringEquals"][SUB]
    assert (
        analyse_trust_policy(
            printed["apply"], owner_repo=REPO, role="apply", environment="prod", account_id="210987654321"
        )
        == []
    )
    assert printed["apply"]["Statement"][0]["Principal"]["Federated"].startswith("arn:aws:iam::210987654321:")


def test_printed_policies_create_roles_the_doctor_accepts(emulator: Emulator) -> None:
    iam = emulator.iam()
    printed = json.loads(
        emulator.run_doctor(
            "--plan-role",
            f"arn:aws:iam::{ACCOUNT}:role/printed-plan",
            "--apply-role",
            f"arn:aws:iam::{ACCOUNT}:role/printed-apply",
            "--repo",
            REPO,
            "--print-trust-policy",
        ).stdout
    )
    for kind in ("plan", "apply"):
        iam.create_role(RoleName=f"printed-{kind}", AssumeRolePolicyDocument=json.dumps(printed[kind]))
    done = doctor(emulator, f"arn:aws:iam::{ACCOUNT}:role/printed-plan", f"arn:aws:iam::{ACCOUNT}:role/printed-apply")
    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize(
    ("args", "reference", "hint"),
    [
        (["--plan-role", "olympus-plan"], "bad-role-arn", "arn:aws:iam::ACCOUNT_ID:role/NAME"),
        (["--repo", "infra"], "bad-repository", "OWNER/REPO"),
        (["--environment", "prod*"], "bad-environment", "--environment production"),
        (["--plan-role", f"arn:aws:iam::{ACCOUNT}:role/does-not-exist"], "role-not-found", "--print-trust-policy"),
    ],
    ids=["malformed-arn", "repo-without-slash", "bad-environment", "missing-role"],
)
def test_bad_input_is_a_user_error(emulator: Emulator, args: list[str], reference: str, hint: str) -> None:
    plan, apply = good_roles(emulator)
    options = {"--plan-role": plan, "--apply-role": apply, "--repo": REPO}
    extra: list[str] = []
    for name, value in zip(args[::2], args[1::2], strict=True):
        if name in options:
            options[name] = value
        else:
            extra += [name, value]
    argv = [item for pair in options.items() for item in pair]
    done = emulator.run_doctor(*argv, *extra, "--skip-github")
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"error[{reference}]" in done.stderr
    assert hint in done.stderr
    assert "Traceback" not in done.stderr


def test_no_aws_credentials_is_a_user_error(emulator: Emulator) -> None:
    plan, apply = good_roles(emulator)
    env = {**emulator.env}
    done = emulator.run_doctor(
        "--plan-role",
        plan,
        "--apply-role",
        apply,
        "--repo",
        REPO,
        "--skip-github",
        env={"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_EC2_METADATA_DISABLED": "true"},
    )
    assert env == emulator.env
    assert done.returncode == 2, done.stdout + done.stderr
    assert "error[no-aws-credentials]" in done.stderr
    assert "AWS_PROFILE" in done.stderr
    assert "Traceback" not in done.stderr


def test_without_a_github_token_it_says_how_to_give_one(emulator: Emulator) -> None:
    plan, apply = good_roles(emulator)
    done = emulator.run_doctor("--plan-role", plan, "--apply-role", apply, "--repo", REPO)
    assert done.returncode == 2
    assert "error[github-token-missing]" in done.stderr
    assert "--skip-github" in done.stderr


def test_a_missing_or_misconfigured_oidc_provider_is_a_problem() -> None:
    from moto.server import ThreadedMotoServer

    from bot.adapters.doctor_checks import oidc_provider_findings
    from bot.domain.trust_policy import parse_role_arn

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        account = "401234567890"  # an account of its own: moto's state is shared by every server in the process
        iam = Emulator(f"http://{host}:{port}", {}, account).iam()
        role = parse_role_arn(f"arn:aws:iam::{account}:role/any")
        (missing,) = oidc_provider_findings(iam, role)
        assert (missing.code, missing.severity) == ("no-oidc-provider", "error")
        assert missing.fix == (
            "aws iam create-open-id-connect-provider --url https://token.actions.githubusercontent.com "
            "--client-id-list sts.amazonaws.com"
        )
        iam.create_open_id_connect_provider(
            Url="https://token.actions.githubusercontent.com",
            ClientIDList=["https://github.com/octo-org"],
            ThumbprintList=["a" * 40],
        )
        (audience,) = oidc_provider_findings(iam, role)
        assert audience.code == "oidc-provider-audience"
        assert "--client-id sts.amazonaws.com" in audience.fix
    finally:
        server.stop()


def test_credentials_for_another_account_are_a_user_error(emulator: Emulator) -> None:
    plan, apply = good_roles(emulator)
    elsewhere = plan.replace(ACCOUNT, "999988887777")
    done = emulator.run_doctor("--plan-role", elsewhere, "--apply-role", apply, "--repo", REPO, "--skip-github")
    assert done.returncode == 2
    assert f"error[wrong-aws-account]: your AWS credentials are for account {ACCOUNT}" in done.stderr
