"""Benchmark: Olympus's rendered-manifest diff (parse + diff + markdown) of a 200-object render, next to helm template.

The renders are generated: 200 objects (Deployments, Services, ConfigMaps, Secrets, ServiceAccounts,
HorizontalPodAutoscalers) as `helm template` prints them, 20 of which change between base and head. When a helm
binary is found (--helm PATH, OLYMPUS_HELM, or `helm` on PATH), a chart rendering the same 200 objects is
generated and `helm template` is timed on it too (a process per run, as Olympus runs it), and Olympus's diff is
run once more on helm's own two renders; without one, that comparison is skipped and said so.

    .venv/bin/python benchmarks/bench_manifest_diff.py [--objects 200] [--changed 20] [--runs 15] [--helm PATH]
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bot.domain.manifests import (
    ManifestDiff,
    ParseMemo,
    Render,
    diff_manifests,
    diff_renders,
    parse_render,
    render_manifest_comment,
)

NAMESPACE = "shop"
_KINDS = 6  # Deployment, Service, ConfigMap, Secret, ServiceAccount, HorizontalPodAutoscaler, in turn


def _object(i: int, bumped: bool) -> tuple[str, str]:
    """(template file, YAML) of object i; bumped is the head's version of a changed object."""
    tag = "1.5.0" if bumped else "1.4.2"
    labels = (
        f"    app.kubernetes.io/name: app-{i}\n    app.kubernetes.io/instance: bench\n    helm.sh/chart: bench-0.1.0\n"
    )
    kind = i % _KINDS
    if kind == 0:
        return "deployment.yaml", (
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  labels:\n{labels}spec:\n"
            f"  replicas: {3 if bumped else 2}\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: app-{i}\n"
            f"  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: app-{i}\n    spec:\n"
            f"      serviceAccountName: app-{i}\n      containers:\n        - name: app\n"
            f'          image: "ghcr.io/example/app:{tag}"\n          ports:\n            - name: http\n'
            "              containerPort: 8080\n          resources:\n            limits:\n"
            "              cpu: 500m\n              memory: 256Mi\n"
        )
    if kind == 1:
        return "service.yaml", (
            f"apiVersion: v1\nkind: Service\nmetadata:\n  name: app-{i}\n  labels:\n{labels}spec:\n  type: ClusterIP\n"
            f"  ports:\n    - port: {8080 if bumped else 80}\n      targetPort: http\n      protocol: TCP\n"
            f"      name: http\n  selector:\n    app.kubernetes.io/name: app-{i}\n"
        )
    if kind == 2:
        return "configmap.yaml", (
            f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-{i}\n  labels:\n{labels}data:\n"
            f"  LOG_LEVEL: {'debug' if bumped else 'info'}\n  FEATURES: search,checkout\n"
        )
    if kind == 3:
        return "secret.yaml", (
            f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: app-{i}\n  labels:\n{labels}type: Opaque\ndata:\n"
            f"  password: {'bmV3LXBhc3N3b3Jk' if bumped else 'b2xkLXBhc3N3b3Jk'}\n  username: YXBw\n"
        )
    if kind == 4:
        return "serviceaccount.yaml", (
            f"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app-{i}\n  labels:\n{labels}"
            f"automountServiceAccountToken: {'true' if bumped else 'false'}\n"
        )
    return "hpa.yaml", (
        f"apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: app-{i}\n  labels:\n{labels}"
        f"spec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: app-{i}\n"
        f"  minReplicas: 2\n  maxReplicas: {10 if bumped else 5}\n"
    )


def generated_render(objects: int, changed: int, *, head: bool) -> str:
    """A render of objects objects as helm template prints it; at the head, every (objects // changed)th differs."""
    step = max(objects // max(changed, 1), 1)
    documents = []
    for i in range(objects):
        template, text = _object(i, head and changed > 0 and i % step == 0 and i // step < changed)
        documents.append(f"---\n# Source: bench/templates/{template}\n{text}")
    return "".join(documents)


def generated_chart(folder: Path, objects: int, changed: int) -> Path:
    """A chart whose one template renders what generated_render writes; `--set head=true` renders the head."""
    chart = folder / "bench"
    (chart / "templates").mkdir(parents=True, exist_ok=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: bench\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text(f"objects: {objects}\nchanged: {changed}\nhead: false\n")
    # The template fills in the index and the changed values; the objects' text is generated_render's own.
    base = [_object(i, False)[1] for i in range(_KINDS)]
    head = [_object(i, True)[1] for i in range(_KINDS)]
    branches = []
    for kind in range(_KINDS):
        branch = f"{{{{- if eq $kind {kind} }}}}\n{{{{- if $bumped }}}}\n{_templated(head[kind], kind)}"
        branches.append(branch + f"{{{{- else }}}}\n{_templated(base[kind], kind)}{{{{- end }}}}\n{{{{- end }}}}\n")
    (chart / "templates" / "objects.yaml").write_text(
        "{{- $step := max 1 (div (int .Values.objects) (max 1 (int .Values.changed))) }}\n"
        "{{- range $i := until (int .Values.objects) }}\n"
        f"{{{{- $kind := mod $i {_KINDS} }}}}\n"
        "{{- $bumped := and $.Values.head (eq (mod $i $step) 0) (lt (div $i $step) (int $.Values.changed)) }}\n"
        "---\n" + "".join(branches) + "{{- end }}\n"
    )
    return chart


def _templated(text: str, kind: int) -> str:
    return text.replace(f"app-{kind}", "app-{{ $i }}")


def helm_binary(option: str | None) -> str | None:
    """The helm to compare with: --helm, else the one Olympus runs (OLYMPUS_HELM, `olympus setup`'s, PATH)."""
    if option:
        return option if os.access(option, os.X_OK) else None
    from bot.adapters.tool_paths import ToolMissing, locate_helm

    try:
        return str(locate_helm())
    except ToolMissing:
        return None


def helm_template(helm: str, chart: Path, home: Path, *, head: bool) -> str:
    """What `helm template` prints for the chart, with helm's cache, config and data in a folder of our own."""
    env = {**os.environ, **{f"HELM_{kind}_HOME": str(home / kind.lower()) for kind in ("CACHE", "CONFIG", "DATA")}}
    argv = [helm, "template", "bench", str(chart), "--namespace", NAMESPACE, "--set", f"head={str(head).lower()}"]
    return subprocess.run(argv, env=env, check=True, capture_output=True, text=True, timeout=120).stdout


def median_seconds(runs: int, work: Callable[[], object]) -> float:
    """The median of runs timings of work, in seconds of wall time."""
    return median_wall_and_cpu(runs, work, time.process_time)[0]


def median_wall_and_cpu(runs: int, work: Callable[[], object], cpu: Callable[[], float]) -> tuple[float, float]:
    """The medians of runs timings of work, in seconds of wall time and of cpu's clock, taken in the same runs."""
    walls, cpus = [], []
    for _ in range(runs):
        gc.collect()
        started, started_cpu = time.perf_counter(), cpu()
        work()
        walls.append(time.perf_counter() - started)
        cpus.append(cpu() - started_cpu)
    return statistics.median(walls), statistics.median(cpus)


def children_cpu_seconds() -> float:
    """CPU time (user + system) of the finished child processes: helm's, which wall time mixes with waiting."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # microseconds, where os.times() counts 10 ms ticks
    return usage.ru_utime + usage.ru_stime


def parse_both(base: str, head: str) -> list[object]:
    """Both renders parsed as diff_manifests parses them: with one memo, so their common documents are parsed once."""
    memo = ParseMemo()
    return [parse_render(text, default_namespace=NAMESPACE, memo=memo) for text in (base, head)]


def whole(base: str, head: str) -> list[str]:
    """What Olympus does with two renders: parse both, diff them, write the comment."""
    diff = diff_manifests(base, head, default_namespace=NAMESPACE)
    return render_manifest_comment(diff, key="bench")


def _load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=200)
    parser.add_argument("--changed", type=int, default=20)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--helm", help="a helm 3 binary to time `helm template` with (default: the one Olympus runs)")
    options = parser.parse_args()
    runs = options.runs

    base = generated_render(options.objects, options.changed, head=False)
    head = generated_render(options.objects, options.changed, head=True)
    parsed_base = parse_render(base, default_namespace=NAMESPACE)
    parsed_head = parse_render(head, default_namespace=NAMESPACE)
    assert isinstance(parsed_base, Render) and isinstance(parsed_head, Render), (parsed_base, parsed_head)
    diff = diff_manifests(base, head, default_namespace=NAMESPACE)
    assert isinstance(diff, ManifestDiff), diff
    parts = whole(base, head)
    size = sum(len(part.encode("utf-8")) for part in parts)

    timings = {
        "parse_render × 2": median_seconds(
            runs, lambda: [parse_render(t, default_namespace=NAMESPACE) for t in (base, head)]
        ),
        "parse_render × 2, one memo": median_seconds(runs, lambda: parse_both(base, head)),
        "diff_renders": median_seconds(runs, lambda: diff_renders(parsed_base, parsed_head)),
        "render_manifest_comment": median_seconds(runs, lambda: render_manifest_comment(diff, key="bench")),
        "parse + diff + comment": median_seconds(runs, lambda: whole(base, head)),
    }
    print(
        f"renders: {options.objects:,} objects each, {len(diff.changes):,} changed, {len(diff.unchanged):,} unchanged; "
        f"{len(base.encode()) / 1e3:.1f} kB + {len(head.encode()) / 1e3:.1f} kB of YAML"
    )
    print(f"comment: {len(parts)} part(s), {size:,} bytes; median of {runs} runs; load average {_load_average()}")
    print()
    print(f"| {'step':<26} | {'time':>9} |")
    print(f"| {'-' * 26} | {'-' * 9}:|")
    for step, seconds in timings.items():
        print(f"| {step:<26} | {seconds * 1e3:>6.1f} ms |")
    print()

    helm = helm_binary(options.helm)
    if helm is None:
        print("helm comparison skipped: no helm binary (run `olympus setup`, or pass --helm PATH)")
        return 0
    with tempfile.TemporaryDirectory(prefix="olympus-bench-helm-") as work:
        folder = Path(work)
        chart = generated_chart(folder, options.objects, options.changed)
        helm_runs = max(3, runs // 3)
        helm_seconds, helm_cpu = median_wall_and_cpu(
            helm_runs, lambda: helm_template(helm, chart, folder, head=False), children_cpu_seconds
        )
        helm_base = helm_template(helm, chart, folder, head=False)
        helm_head = helm_template(helm, chart, folder, head=True)
    version = subprocess.run([helm, "version", "--short"], capture_output=True, text=True, check=False).stdout.strip()
    from_helm = diff_manifests(helm_base, helm_head, default_namespace=NAMESPACE)
    assert isinstance(from_helm, ManifestDiff), from_helm
    # CPU time too, in the same runs: on a busy machine wall time counts the waits for a core.
    olympus, olympus_cpu = median_wall_and_cpu(runs, lambda: whole(base, head), time.process_time)
    print(f"helm {version or '?'} ({helm}): `helm template` of the generated chart, median of {helm_runs} runs")
    print(f"| {'step':<26} | {'time':>9} |")
    print(f"| {'-' * 26} | {'-' * 9}:|")
    print(f"| {'helm template (1 render)':<26} | {helm_seconds * 1e3:>6.1f} ms |")
    print(f"| {'olympus (2 renders)':<26} | {olympus * 1e3:>6.1f} ms |")
    print(f"| {'helm template, CPU time':<26} | {helm_cpu * 1e3:>6.1f} ms |")
    print(f"| {'olympus, CPU time':<26} | {olympus_cpu * 1e3:>6.1f} ms |")
    print()
    print(f"load average (1, 5, 15 min) at the end: {_load_average()}")
    print(
        f"olympus's parse + diff + comment of both renders took {olympus / helm_seconds:.2f}× one helm template; "
        f"on helm's own renders it found {len(from_helm.changes):,} changed and {len(from_helm.unchanged):,} "
        f"unchanged objects; in CPU time {olympus_cpu / helm_cpu:.2f}×"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
