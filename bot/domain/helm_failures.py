"""What a failed `helm` command means for the person who ran it: a missing dependency, bad values, a broken chart."""

from __future__ import annotations

import re

from bot.errors import UserError

__all__ = ["helm_failure", "missing_dependencies", "schema_violations"]

# `helm template` and `helm install` (pkg/action/dependency.go, CheckDependencies), and `helm lint`'s
# dependencies rule (pkg/lint/rules/dependencies.go) word the same problem differently.
_MISSING_IN_CHARTS = re.compile(r"found in Chart\.yaml, but missing in charts/ directory: (.+)")
_MISSING_ON_LINT = re.compile(r"chart directory is missing these dependencies: (.+)")
# values.schema.json's violations, one per line under the chart's name (pkg/chartutil/jsonschema.go).
_SCHEMA_HEADER = "values don't meet the specifications of the schema"
_VIOLATION = re.compile(r"^- (.+)$")
_TAIL_CHARS = 1500


def missing_dependencies(output: str) -> tuple[str, ...]:
    """The dependencies Chart.yaml names that the chart's charts/ directory lacks, as helm reported them."""
    names: list[str] = []
    for pattern in (_MISSING_IN_CHARTS, _MISSING_ON_LINT):
        for match in pattern.finditer(output):
            names.extend(name.strip() for name in match.group(1).split(",") if name.strip())
    return tuple(dict.fromkeys(names))


def schema_violations(output: str) -> tuple[str, ...]:
    """Each `key: what is wrong` line helm printed for values that break the chart's values.schema.json."""
    if _SCHEMA_HEADER not in output:
        return ()
    after = output.split(_SCHEMA_HEADER, 1)[1]
    found = (_VIOLATION.match(line.strip()) for line in after.splitlines())
    return tuple(dict.fromkeys(match.group(1) for match in found if match))


def helm_failure(command: str, chart: str, output: str) -> UserError:
    """The user error for a `helm COMMAND` that failed on a chart, from what helm wrote."""
    missing = missing_dependencies(output)
    if missing:
        return UserError(
            "helm-dependency-missing",
            f"chart {chart} depends on {', '.join(missing)}, which its charts/ directory does not hold, "
            "and Olympus never fetches charts from the network",
            "run `helm dependency build` on the chart where its repositories are reachable and commit the "
            "charts/*.tgz it downloads (and Chart.lock), or remove the dependency from Chart.yaml",
        )
    violations = schema_violations(output)
    if violations:
        return UserError(
            "helm-values-invalid",
            f"the values for chart {chart} break its values.schema.json: {'; '.join(violations)}",
            "change or remove the values named above; values.schema.json says which keys the chart takes "
            "and of what type",
        )
    # helm's own message starts at "Error: "; what comes before is client-go's logging, not about the chart.
    message = output[output.find("Error: ") :] if "Error: " in output else output
    return UserError(
        "helm-render-failed",
        f"`helm {command}` failed on chart {chart}: {message.strip()[-_TAIL_CHARS:] or 'no output'}",
        "fix the chart's templates or values as helm's message says, then try again",
    )
