"""Scanner findings across Checkov and Trivy: severities, the CKV↔AVD alias table, skips applied, de-duplication."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from bot.domain.models import Finding, Severity

CHECKOV = "checkov"
TRIVY = "trivy"
# A merged finding names its tools in this order, and takes its id, title and link from the first.
TOOL_ORDER = (CHECKOV, TRIVY)

# Checkov run offline (--skip-download) reports no severity, and Trivy may say UNKNOWN: both become this.
DEFAULT_SEVERITY = Severity.MEDIUM
# Checkov's guideline links come from its platform, so offline a Checkov-only finding links to the policy index.
CHECKOV_POLICY_INDEX = "https://www.checkov.io/5.Policy%20Index/terraform.html"
AVD_URL = "https://avd.aquasec.com/misconfig/"

# The same problem on the same Terraform block, as (Checkov id, Trivy AVD id). Each pair was seen failing on the
# same block when Checkov 3.3.30 and Trivy 0.59.1 scanned deliberately bad Terraform; tests/adapters/
# test_scanners.py re-runs both tools on a sample of it. A Checkov check may match several Trivy checks (Trivy
# reports a bucket without a public access block as four missing settings, Checkov as one missing block).
ALIASES: tuple[tuple[str, str], ...] = (
    # S3
    ("CKV_AWS_18", "AVD-AWS-0089"),  # access logging
    ("CKV_AWS_19", "AVD-AWS-0088"),  # server-side encryption
    ("CKV_AWS_145", "AVD-AWS-0132"),  # encryption with a customer-managed KMS key
    ("CKV_AWS_21", "AVD-AWS-0090"),  # versioning
    ("CKV_AWS_20", "AVD-AWS-0092"),  # public-read ACL
    ("CKV_AWS_57", "AVD-AWS-0092"),  # public-read-write ACL
    ("CKV2_AWS_6", "AVD-AWS-0094"),  # no public access block ...
    ("CKV2_AWS_6", "AVD-AWS-0086"),  # ... which Trivy also reports as each setting missing on the bucket
    ("CKV2_AWS_6", "AVD-AWS-0087"),
    ("CKV2_AWS_6", "AVD-AWS-0091"),
    ("CKV2_AWS_6", "AVD-AWS-0093"),
    ("CKV_AWS_53", "AVD-AWS-0086"),  # public access block: block_public_acls
    ("CKV_AWS_54", "AVD-AWS-0087"),  # block_public_policy
    ("CKV_AWS_55", "AVD-AWS-0091"),  # ignore_public_acls
    ("CKV_AWS_56", "AVD-AWS-0093"),  # restrict_public_buckets
    # EC2 and EBS
    ("CKV_AWS_79", "AVD-AWS-0028"),  # IMDSv2 tokens: instance
    ("CKV_AWS_79", "AVD-AWS-0130"),  # IMDSv2 tokens: launch template / launch configuration
    ("CKV_AWS_8", "AVD-AWS-0131"),  # unencrypted block device: instance
    ("CKV_AWS_8", "AVD-AWS-0008"),  # unencrypted block device: launch configuration
    ("CKV_AWS_3", "AVD-AWS-0026"),  # EBS volume encryption
    ("CKV_AWS_189", "AVD-AWS-0027"),  # EBS volume customer-managed key
    ("CKV_AWS_46", "AVD-AWS-0029"),  # secrets in user data
    ("CKV_AWS_23", "AVD-AWS-0099"),  # security group description
    ("CKV_AWS_23", "AVD-AWS-0124"),  # security group rule description
    ("CKV_AWS_24", "AVD-AWS-0107"),  # SSH open to the world
    ("CKV_AWS_25", "AVD-AWS-0107"),  # RDP open to the world
    ("CKV_AWS_382", "AVD-AWS-0104"),  # unrestricted egress
    # Lambda
    ("CKV_AWS_50", "AVD-AWS-0066"),  # X-Ray tracing
    ("CKV_AWS_364", "AVD-AWS-0067"),  # permission for a service without a source ARN
    # KMS
    ("CKV_AWS_7", "AVD-AWS-0065"),  # key rotation
    # IAM (Trivy 0.59 has no wildcard-policy check; these two flag policies granted to users)
    ("CKV_AWS_40", "AVD-AWS-0143"),
    # DynamoDB
    ("CKV_AWS_28", "AVD-AWS-0024"),  # point-in-time recovery
    ("CKV_AWS_119", "AVD-AWS-0025"),  # customer-managed key
    # GCS
    ("CKV_GCP_29", "AVD-GCP-0002"),  # uniform bucket-level access
    ("CKV_GCP_28", "AVD-GCP-0001"),  # allUsers / allAuthenticatedUsers
    # Compute Engine
    ("CKV_GCP_2", "AVD-GCP-0027"),  # firewall: SSH from anywhere
    ("CKV_GCP_3", "AVD-GCP-0027"),  # firewall: RDP from anywhere
    ("CKV_GCP_30", "AVD-GCP-0044"),  # default service account
    ("CKV_GCP_31", "AVD-GCP-0044"),  # default service account with full API access
    ("CKV_GCP_32", "AVD-GCP-0030"),  # project-wide SSH keys
    ("CKV_GCP_35", "AVD-GCP-0032"),  # serial port
    ("CKV_GCP_36", "AVD-GCP-0043"),  # IP forwarding
    ("CKV_GCP_38", "AVD-GCP-0033"),  # disk customer-supplied key
    ("CKV_GCP_39", "AVD-GCP-0041"),  # shielded VM: vTPM
    ("CKV_GCP_39", "AVD-GCP-0045"),  # shielded VM: integrity monitoring
    ("CKV_GCP_39", "AVD-GCP-0067"),  # shielded VM: secure boot
    ("CKV_GCP_40", "AVD-GCP-0031"),  # public IP
    # GCP IAM
    ("CKV_GCP_41", "AVD-GCP-0011"),  # service account user role at project level
)

# The severity Trivy 0.59.1 gives each aliased check, so an aliased Checkov finding gets the same one.
TRIVY_SEVERITY: Mapping[str, Severity] = {
    "AVD-AWS-0008": Severity.HIGH,
    "AVD-AWS-0024": Severity.MEDIUM,
    "AVD-AWS-0025": Severity.LOW,
    "AVD-AWS-0026": Severity.HIGH,
    "AVD-AWS-0027": Severity.LOW,
    "AVD-AWS-0028": Severity.HIGH,
    "AVD-AWS-0029": Severity.CRITICAL,
    "AVD-AWS-0065": Severity.MEDIUM,
    "AVD-AWS-0066": Severity.LOW,
    "AVD-AWS-0067": Severity.CRITICAL,
    "AVD-AWS-0086": Severity.HIGH,
    "AVD-AWS-0087": Severity.HIGH,
    "AVD-AWS-0088": Severity.HIGH,
    "AVD-AWS-0089": Severity.LOW,
    "AVD-AWS-0090": Severity.MEDIUM,
    "AVD-AWS-0091": Severity.HIGH,
    "AVD-AWS-0092": Severity.HIGH,
    "AVD-AWS-0093": Severity.HIGH,
    "AVD-AWS-0094": Severity.LOW,
    "AVD-AWS-0099": Severity.LOW,
    "AVD-AWS-0104": Severity.CRITICAL,
    "AVD-AWS-0107": Severity.HIGH,
    "AVD-AWS-0124": Severity.LOW,
    "AVD-AWS-0130": Severity.HIGH,
    "AVD-AWS-0131": Severity.HIGH,
    "AVD-AWS-0132": Severity.HIGH,
    "AVD-AWS-0143": Severity.LOW,
    "AVD-GCP-0001": Severity.HIGH,
    "AVD-GCP-0002": Severity.MEDIUM,
    "AVD-GCP-0011": Severity.MEDIUM,
    "AVD-GCP-0027": Severity.CRITICAL,
    "AVD-GCP-0030": Severity.MEDIUM,
    "AVD-GCP-0031": Severity.HIGH,
    "AVD-GCP-0032": Severity.MEDIUM,
    "AVD-GCP-0033": Severity.LOW,
    "AVD-GCP-0041": Severity.MEDIUM,
    "AVD-GCP-0043": Severity.HIGH,
    "AVD-GCP-0044": Severity.CRITICAL,
    "AVD-GCP-0045": Severity.MEDIUM,
    "AVD-GCP-0067": Severity.MEDIUM,
}


def _alias_index(pairs: Iterable[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    """Each id's aliases, in table order (a Checkov id's first Trivy alias is its closest match)."""
    index: dict[str, list[str]] = {}
    for checkov_id, trivy_id in pairs:
        index.setdefault(checkov_id, []).append(trivy_id)
        index.setdefault(trivy_id, []).append(checkov_id)
    return {rule: tuple(others) for rule, others in index.items()}


_ALIAS_INDEX = _alias_index(ALIASES)


def aliases_of(rule_id: str) -> frozenset[str]:
    """The other tool's ids for the same problem (empty when the table does not know the id)."""
    return frozenset(_ALIAS_INDEX.get(rule_id.upper(), ()))


def parse_severity(text: str | None) -> Severity:
    """A tool's severity word as a Severity; missing or unknown words get the documented default (MEDIUM)."""
    try:
        return Severity((text or "").strip().upper())
    except ValueError:
        return DEFAULT_SEVERITY


def checkov_severity(check_id: str, reported: str | None = None) -> Severity:
    """Checkov's own severity when it gives one, else the highest Trivy severity of the same problem, else MEDIUM."""
    if reported:
        return parse_severity(reported)
    known = [TRIVY_SEVERITY[a] for a in aliases_of(check_id) if a in TRIVY_SEVERITY]
    return max(known, key=lambda s: s.rank) if known else DEFAULT_SEVERITY


def avd_link(avd_id: str) -> str:
    return AVD_URL + avd_id.lower()


def checkov_link(check_id: str, guideline: str | None = None) -> str:
    """Checkov's guideline when it has one; offline, the page of the same problem's Trivy check, else the index."""
    if guideline:
        return guideline
    trivy_ids = _ALIAS_INDEX.get(check_id.upper(), ())
    return avd_link(trivy_ids[0]) if trivy_ids else CHECKOV_POLICY_INDEX


@dataclass(frozen=True)
class SkippedCheck:
    """A check silenced by an inline comment, kept so the comment can show what was skipped and why."""

    rule_id: str
    tool: str
    file: str  # relative to the repository root
    line: int  # first line of the Terraform block the skip applies to
    resource: str
    reason: str = ""  # "" when the comment gives none
    title: str = ""
    # The other tool's ids dropped on the same block because of this one decision.
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScanReport:
    """What one or more scanners found in a set of directories."""

    findings: tuple[Finding, ...] = ()
    skipped: tuple[SkippedCheck, ...] = ()
    # Files a scanner could not parse, so it did not scan them (repo-relative, with the tool's name).
    unparsed: tuple[str, ...] = ()


# --- merging -----------------------------------------------------------------------------------------------


def _tool_rank(tool: str) -> int:
    return TOOL_ORDER.index(tool) if tool in TOOL_ORDER else len(TOOL_ORDER)


def _related(a: Finding, b: Finding) -> bool:
    ids_a = {a.rule_id, *a.aliases}
    ids_b = {b.rule_id, *b.aliases}
    if ids_a & ids_b:
        return True
    return any(aliases_of(x) & ids_b for x in ids_a)


def _borrowed_link(finding: Finding) -> bool:
    """A Checkov finding's stand-in link (see checkov_link): a merged finding prefers the tool's own page."""
    return CHECKOV in finding.tools and (finding.link == CHECKOV_POLICY_INDEX or finding.link.startswith(AVD_URL))


def _merge_group(group: Sequence[Finding]) -> Finding:
    ordered = sorted(group, key=lambda f: (min((_tool_rank(t) for t in f.tools), default=99), f.rule_id))
    primary = ordered[0]
    tools = sorted({t for f in group for t in f.tools}, key=lambda t: (_tool_rank(t), t))
    ids = {i for f in group for i in (f.rule_id, *f.aliases)} - {primary.rule_id}
    return replace(
        primary,
        severity=max((f.severity for f in group), key=lambda s: s.rank),
        title=next((f.title for f in ordered if f.title), ""),
        resource=next((f.resource for f in ordered if f.resource), ""),
        link=next((f.link for f in ordered if f.link and not _borrowed_link(f)), primary.link),
        tools=tuple(tools),
        aliases=tuple(sorted(ids)),
    )


def _related_components(group: Sequence[Finding]) -> list[list[Finding]]:
    """The group split into sets of findings linked by a shared or aliased id (union-find, transitive)."""
    parent = list(range(len(group)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(group)):
        for j in range(i + 1, len(group)):
            if _related(group[i], group[j]):
                parent[root(j)] = root(i)
    components: dict[int, list[Finding]] = {}
    for i, finding in enumerate(group):
        components.setdefault(root(i), []).append(finding)
    return list(components.values())


def finding_order(finding: Finding) -> tuple[int, str, int, str]:
    """Most severe first, then by place and id: the order reports and SARIF use."""
    return (-finding.severity.rank, finding.file, finding.line, finding.rule_id)


def merge_findings(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per problem per block: duplicates and aliased findings of the same block become one.

    Findings are grouped by file and block line; within a group, findings with the same id or ids the alias
    table links are merged (transitively), keeping the most severe severity, every tool and every other id.
    """
    by_place: dict[tuple[str, int], list[Finding]] = {}
    for finding in findings:
        by_place.setdefault((finding.file, finding.line), []).append(finding)
    merged = [_merge_group(c) for group in by_place.values() for c in _related_components(group)]
    return sorted(merged, key=finding_order)


def apply_skips(
    findings: Iterable[Finding], skipped: Iterable[SkippedCheck]
) -> tuple[list[Finding], list[SkippedCheck]]:
    """Drop the other tool's findings that an inline skip covers: one decision, both tools.

    A skip of CKV_AWS_18 on a bucket also drops Trivy's AVD-AWS-0089 on that bucket, and the other way round.
    Returns the findings kept and the skips, each naming the ids it dropped from the other tool.
    """
    skips = list(skipped)
    dropped: dict[int, set[str]] = {}
    kept: list[Finding] = []
    for finding in findings:
        ids = {finding.rule_id, *finding.aliases}
        covering = [
            n
            for n, s in enumerate(skips)
            if s.file == finding.file
            and s.line == finding.line
            and s.tool not in finding.tools
            and (aliases_of(s.rule_id) | ({s.rule_id} | set(s.aliases))) & ids
        ]
        if covering:
            for n in covering:
                dropped.setdefault(n, set()).add(finding.rule_id)
        else:
            kept.append(finding)
    out = [replace(s, aliases=tuple(sorted({*s.aliases, *dropped.get(n, ())}))) for n, s in enumerate(skips)]
    return kept, out


def dedupe_skipped(skipped: Iterable[SkippedCheck]) -> list[SkippedCheck]:
    """One entry per tool, rule and block (a block scanned twice, alone and through a module call, skips once)."""
    seen: dict[tuple[str, str, str, int], SkippedCheck] = {}
    for skip in skipped:
        key = (skip.tool, skip.rule_id, skip.file, skip.line)
        earlier = seen.get(key)
        if earlier is None:
            seen[key] = skip
        else:
            seen[key] = replace(
                earlier,
                reason=earlier.reason or skip.reason,
                title=earlier.title or skip.title,
                aliases=tuple(sorted({*earlier.aliases, *skip.aliases})),
            )
    return sorted(seen.values(), key=lambda s: (s.file, s.line, _tool_rank(s.tool), s.rule_id))


def merge_reports(reports: Iterable[ScanReport]) -> ScanReport:
    """Several scanners' reports as one: skips applied across tools, then duplicates and aliases merged."""
    reports = list(reports)
    skipped = dedupe_skipped(s for r in reports for s in r.skipped)
    kept, skipped = apply_skips((f for r in reports for f in r.findings), skipped)
    return ScanReport(
        findings=tuple(merge_findings(kept)),
        skipped=tuple(skipped),
        unparsed=tuple(sorted({u for r in reports for u in r.unparsed})),
    )
