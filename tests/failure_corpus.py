"""The failure corpus (tests/fixes/corpus) as its tests use it: each case's description, what must be true in the
emulator before its failing step, and that step run for real as Olympus runs it.

One emulator serves every case of a test module (each case has its own state key); the cases share a plugin cache
and the sandbox's provider mirror. The steps run as Olympus runs them: `plan -lock=false -out`, then `apply` of the
saved plan.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import boto3
import moto.settings
import yaml

from bot.adapters.checkov import CheckovScanner
from bot.adapters.local_aws import LOCK_TABLE, REGION, STATE_BUCKET, LocalAws
from bot.adapters.plugin_cache import PLUGIN_CACHE_ENV
from bot.adapters.rego import RegoEngine
from bot.adapters.sandbox import OVERRIDE_FILE, backend_config, cli_config, provider_override
from bot.adapters.sqlstore import SqlStore
from bot.adapters.terraform import TerraformCli
from bot.domain.fixes.failure_classes import FailureSite, policy_failure_text
from bot.domain.models import Project
from bot.domain.plan_documents import load_plan_documents
from bot.domain.sensitive import SensitiveValues
from bot.services.context import Loop
from bot.services.policy_check import policy_judge
from bot.tools.filesystem_repo import FileSystemRepo

CORPUS = Path(__file__).resolve().parent / "fixes" / "corpus"
CASES = sorted(path.name for path in CORPUS.iterdir() if (path / "case.yaml").is_file())
NOT_PROJECT_FILES = ("case.yaml", ".olympus.yaml")


@dataclass(frozen=True)
class Case:
    """One corpus case as its case.yaml describes it."""

    id: str
    step: str  # init | plan | apply | policy (the plan succeeds, the policy check fails it)
    failure_class: str
    site: FailureSite

    @classmethod
    def load(cls, name: str) -> Case:
        raw = yaml.safe_load((CORPUS / name / "case.yaml").read_text())
        return cls(raw["id"], raw["step"], raw["class"], FailureSite(**raw["site"]))


@dataclass(frozen=True)
class Failed:
    """A case's failing step as it ran: the step and what it printed (a policy check's: its failures' text)."""

    step: str
    output: str


def corpus_terraform_env(aws: LocalAws, cache: Path) -> dict[str, str]:
    """The environment every case's Terraform runs with: the emulator's, the sandbox's CLI config, a plugin cache."""
    plugins = cache / "plugin-cache"
    plugins.mkdir(parents=True, exist_ok=True)  # "Terraform will not create the directory itself"
    return {**aws.env, "TF_CLI_CONFIG_FILE": str(cli_config(cache)), PLUGIN_CACHE_ENV: str(plugins)}


def copy_case(name: str, target: Path) -> Path:
    """The case's Terraform files (not its case.yaml nor its .olympus.yaml) copied into target; target."""
    shutil.copytree(CORPUS / name, target, ignore=shutil.ignore_patterns(*NOT_PROJECT_FILES), dirs_exist_ok=True)
    return target


def prepare_run(name: str, aws: LocalAws, target: Path) -> Path:
    """A copy of the case ready to run on the emulator: its provider override and backend settings written."""
    copy_case(name, target)
    if (CORPUS / name / ".olympus.yaml").is_file():
        shutil.copy(CORPUS / name / ".olympus.yaml", target / ".olympus.yaml")  # the policy check reads it
    (target / OVERRIDE_FILE).write_text(provider_override(aws))
    (target / "backend.hcl").write_text(backend_config(aws, state_key(name)))
    return target


def state_key(name: str) -> str:
    return f"corpus/{name}/terraform.tfstate"


# What a case needs done first: each yields the environment Terraform runs with on top of the sandbox's.
Setup = Callable[[LocalAws, str], AbstractContextManager[dict[str, str]]]


def nothing_first(_aws: LocalAws, _key: str) -> AbstractContextManager[dict[str, str]]:
    return nullcontext({})


@contextmanager
def taken_by_another_account(aws: LocalAws, _key: str) -> Iterator[dict[str, str]]:
    role = "arn:aws:iam::210987654321:role/other-team"
    creds = aws.client("sts").assume_role(RoleArn=role, RoleSessionName="corpus")["Credentials"]
    other = boto3.client(
        "s3",
        endpoint_url=aws.url,
        region_name=REGION,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    if "corpus-assets" not in {b["Name"] for b in aws.client("s3").list_buckets().get("Buckets", [])}:
        other.create_bucket(Bucket="corpus-assets")
    yield {}


@contextmanager
def role_made_outside(aws: LocalAws, _key: str) -> Iterator[dict[str, str]]:
    iam = aws.client("iam")
    if "corpus-ci" not in {r["RoleName"] for r in iam.list_roles()["Roles"]}:
        iam.create_role(RoleName="corpus-ci", AssumeRolePolicyDocument="{}")
    yield {}


@contextmanager
def lock_held(aws: LocalAws, key: str) -> Iterator[dict[str, str]]:
    path = f"{STATE_BUCKET}/{key}"
    info = {
        "ID": "1b2c3d4e-0000-4000-8000-000000000001",
        "Operation": "OperationTypeApply",
        "Who": "alice@ci",
        "Version": "1.11.4",
        "Created": "2026-12-03T07:00:00Z",
        "Path": path,
        "Info": "",
    }
    item = {"LockID": {"S": path}, "Info": {"S": json.dumps(info)}}
    aws.client("dynamodb").put_item(TableName=LOCK_TABLE, Item=item)
    yield {}


@contextmanager
def instance_types_checked(_aws: LocalAws, _key: str) -> Iterator[dict[str, str]]:
    with mock.patch.object(moto.settings, "EC2_ENABLE_INSTANCE_TYPE_VALIDATION", True):
        yield {}


@contextmanager
def amis_checked(_aws: LocalAws, _key: str) -> Iterator[dict[str, str]]:
    with mock.patch.object(moto.settings, "ENABLE_AMI_VALIDATION", True):
        yield {}


@contextmanager
def state_only_identity(aws: LocalAws, _key: str) -> Iterator[dict[str, str]]:
    iam = aws.client("iam")
    if "corpus-state-only" not in {u["UserName"] for u in iam.list_users()["Users"]}:
        iam.create_user(UserName="corpus-state-only")
    statements = [
        {
            "Effect": "Allow",
            "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{STATE_BUCKET}", f"arn:aws:s3:::{STATE_BUCKET}/*"],
        },
        {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
    ]
    document = json.dumps({"Version": "2012-10-17", "Statement": statements})
    iam.put_user_policy(UserName="corpus-state-only", PolicyName="state-only", PolicyDocument=document)
    key = iam.create_access_key(UserName="corpus-state-only")["AccessKey"]
    # From here on the emulator checks every request's credentials and permissions, as AWS does.
    with mock.patch.object(moto.settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0):
        yield {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}


SETUPS: dict[str, Setup] = {
    "access-denied": state_only_identity,
    "bucket-name-taken": taken_by_another_account,
    "invalid-ami": amis_checked,
    "invalid-instance-type": instance_types_checked,
    "role-exists-outside": role_made_outside,
    "state-locked": lock_held,
}

STEPS = {
    "init": ["init", "-input=false", "-no-color", "-backend-config=backend.hcl"],
    "plan": ["plan", "-input=false", "-no-color", "-lock=false", "-out=tf.plan"],
    "apply": ["apply", "-input=false", "-no-color", "tf.plan"],
}


def run_until_failure(step: str, project: Path, env: dict[str, str]) -> Failed:
    """Run init, plan, (policies,) apply as Olympus does, up to `step`, which must fail; what it printed."""
    terraform = TerraformCli.locate()
    earlier = ["init", "plan"] if step in ("policy", "apply") else ["init"] if step == "plan" else []
    for name in earlier:
        terraform.check(STEPS[name], project, env=env)  # an earlier step failing is the corpus's mistake
    if step == "policy":
        return Failed(step, policy_failures(terraform, project, env))
    out = terraform.run(STEPS[step], project, env=env)
    assert out.returncode != 0, f"`terraform {step}` succeeded:\n{out.stdout}"
    return Failed(step, out.stderr + "\n" + out.stdout)


def policy_failures(terraform: TerraformCli, project: Path, env: dict[str, str]) -> str:
    """The policy check's failures over the saved plan, judged by the project's .olympus.yaml policy sets."""
    shown = terraform.check(["show", "-json", "tf.plan"], project, env=env).stdout
    tree = FileSystemRepo(project)
    judge = policy_judge(SimpleNamespace(policies=RegoEngine()), tree, tree)  # type: ignore[arg-type]
    assert judge is not None
    outcomes = judge.judge(Project(project.name, ""), load_plan_documents(shown)[0], SensitiveValues())
    failures = [failure for outcome in outcomes for failure in outcome.gate_failures()]
    assert len(failures) == 1, failures  # the case breaks one policy, so that its fix is one change
    return policy_failure_text(failures)


def corpus_loop(store: SqlStore, aws: LocalAws, cache: Path, state: Path, *, scanned: bool) -> Loop:
    """The loop a door builds, on the emulator (the sandbox's own state bucket), with the default policies."""
    state.mkdir(parents=True, exist_ok=True)
    return Loop(
        store=store,
        terraform=TerraformCli.locate(),
        scanners=[CheckovScanner()] if scanned else [],
        actor="olympus-corpus",
        cache_dir=cache,
        state_dir=state,
        repo_id="corpus",
        sandbox=aws,
        say=lambda line: None,
        policies=RegoEngine(),
    )
