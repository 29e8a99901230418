"""Rendered manifests compared per object: classification, Secret values never shown, markdown that stays inert."""

from __future__ import annotations

import base64
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_safety import assert_renders_safely
from shown import shown

from bot.domain.manifests import (
    REDACTED,
    ManifestDiff,
    ObjectKey,
    Render,
    RenderProblem,
    Status,
    diff_manifests,
    diff_renders,
    manifest_diff_lines,
    parse_render,
    render_manifest_comment,
)
from bot.domain.manifests.comment import MAX_DIFF_LINES
from bot.domain.markdown import WORD_JOINER

PASSWORD = "hunter2-correct-horse"
NEW_PASSWORD = "swordfish-battery-staple"
API_TOKEN = "tok-7c1f0a9e5b"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def chart(*, replicas: int = 2, image: str = "1.4.2", password: str = PASSWORD, max_replicas: int = 5) -> str:
    """What `helm template web ./charts/web --namespace shop` prints for a small web service."""
    return f"""---
# Source: web/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: web
  labels:
    app.kubernetes.io/name: web
    app.kubernetes.io/instance: web
    helm.sh/chart: web-0.3.1
---
# Source: web/templates/secret.yaml
apiVersion: v1
kind: Secret
metadata:
  name: web-db
type: Opaque
data:
  password: {b64(password)}
  username: {b64("web")}
stringData:
  api-token: {API_TOKEN}
---
# Source: web/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  LOG_LEVEL: info
  nginx.conf: |
    server {{
      listen 8080;
      location / {{ proxy_pass http://127.0.0.1:9000; }}
    }}
---
# Source: web/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: ClusterIP
  ports:
    - port: 80
      targetPort: http
      protocol: TCP
      name: http
  selector:
    app.kubernetes.io/name: web
---
# Source: web/templates/clusterrole.yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: web-reader
rules:
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["get", "list"]
---
# Source: web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app.kubernetes.io/name: web
  template:
    metadata:
      labels:
        app.kubernetes.io/name: web
    spec:
      serviceAccountName: web
      containers:
        - name: web
          image: "ghcr.io/example/web:{image}"
          ports:
            - name: http
              containerPort: 8080
          envFrom:
            - secretRef:
                name: web-db
          resources:
            limits:
              cpu: 500m
              memory: 256Mi
---
# Source: web/templates/hpa.yaml
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  minReplicas: 2
  maxReplicas: {max_replicas}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 80
---
# Source: web/templates/tests/test-connection.yaml
"""


def render(text: str, namespace: str = "shop") -> Render:
    parsed = parse_render(text, default_namespace=namespace)
    assert isinstance(parsed, Render), parsed
    return parsed


def diff(base: str, head: str) -> ManifestDiff:
    result = diff_manifests(base, head, default_namespace="shop")
    assert isinstance(result, ManifestDiff), result
    return result


def statuses(result: ManifestDiff) -> dict[str, Status]:
    return {change.key.label: change.status for change in result.changes}


def everything_written(result: ManifestDiff) -> str:
    """Every text Olympus could show of a diff: its values, its markdown, and its comment parts."""
    return "\n".join(
        [repr(result), *manifest_diff_lines(result), *render_manifest_comment(result, key="helm-web")]
        + [change.diff for change in result.changes]
    )


# --- reading a render -----------------------------------------------------------------------------


def test_a_render_is_read_into_objects_keyed_by_group_kind_namespace_and_name() -> None:
    parsed = render(chart())
    assert sorted(parsed.objects) == [
        ObjectKey("", "ConfigMap", "shop", "web-config"),
        ObjectKey("", "Secret", "shop", "web-db"),
        ObjectKey("", "Service", "shop", "web"),
        ObjectKey("", "ServiceAccount", "shop", "web"),
        ObjectKey("apps", "Deployment", "shop", "web"),
        ObjectKey("autoscaling", "HorizontalPodAutoscaler", "shop", "web"),
        # Cluster scoped: the release's namespace is not given to it.
        ObjectKey("rbac.authorization.k8s.io", "ClusterRole", "", "web-reader"),
    ]
    deployment = parsed.objects[ObjectKey("apps", "Deployment", "shop", "web")]
    assert deployment.source == "web/templates/deployment.yaml"
    assert deployment.body["spec"]["replicas"] == 2


def test_without_a_default_namespace_an_object_without_one_keeps_none() -> None:
    parsed = render("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n", namespace="")
    assert list(parsed.objects) == [ObjectKey("", "ConfigMap", "", "a")]
    assert parsed.objects[ObjectKey("", "ConfigMap", "", "a")].source == ""


def test_an_explicit_namespace_wins_over_the_default() -> None:
    parsed = render("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: other\n")
    assert list(parsed.objects) == [ObjectKey("", "ConfigMap", "other", "a")]


def test_empty_documents_and_comment_only_documents_are_skipped() -> None:
    text = (
        "---\n---\n# Source: web/templates/off.yaml\n---\n\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
    )
    assert len(render(text).objects) == 1
    assert render("").objects == {}


def test_a_kind_list_is_read_as_its_items() -> None:
    text = (
        "# Source: web/templates/rbac.yaml\napiVersion: v1\nkind: List\nitems:\n"
        "  - {apiVersion: v1, kind: ServiceAccount, metadata: {name: a}}\n"
        "  - {apiVersion: v1, kind: ServiceAccount, metadata: {name: b}}\n"
    )
    assert [key.name for key in render(text).objects] == ["a", "b"]


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ("- just\n- a list\n", "a YAML list, not a mapping"),
        ("plain words\n", "a YAML string, not a mapping"),
        ("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", "`metadata.name`"),
        ("apiVersion: v1\nmetadata: {name: a}\n", "needs `kind`"),
        ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: 3}\n", "(strings)"),
        ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: [x]}\n", "namespace"),
    ],
)
def test_a_document_that_is_not_an_object_is_a_problem_naming_its_template(document: str, reason: str) -> None:
    text = f"{chart()}---\n# Source: web/templates/broken.yaml\n{document}"
    problem = parse_render(text, default_namespace="shop")
    assert isinstance(problem, RenderProblem)
    assert problem.source == "web/templates/broken.yaml"
    assert reason in problem.reason


def test_a_document_without_a_source_comment_is_named_by_its_number() -> None:
    problem = parse_render("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n[1, 2]\n")
    assert isinstance(problem, RenderProblem)
    assert problem.source == "document 2"


def test_invalid_yaml_says_where_but_never_quotes_the_line() -> None:
    # The offending line is a Secret's value: PyYAML's own message would print it.
    text = f"---\n# Source: web/templates/secret.yaml\nkind: Secret\ndata:\n  password: {PASSWORD}: x\n"
    problem = parse_render(text)
    assert isinstance(problem, RenderProblem)
    assert problem.source == "web/templates/secret.yaml"
    assert "line 5" in problem.reason
    assert PASSWORD not in problem.message
    assert PASSWORD not in "\n".join(manifest_diff_lines(problem))


def test_an_object_rendered_twice_is_a_problem() -> None:
    one = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
    problem = parse_render(f"# Source: c/templates/a.yaml\n{one}---\n# Source: c/templates/b.yaml\n{one}")
    assert isinstance(problem, RenderProblem)
    assert problem.source == "c/templates/b.yaml"
    assert "rendered twice (first by c/templates/a.yaml)" in problem.reason


def test_aliases_that_expand_without_end_are_refused() -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n" + "\n".join(f"  {x}" for x in levels)
    problem = parse_render(text)
    assert isinstance(problem, RenderProblem)
    assert "expands to more than" in problem.reason


def test_a_head_that_cannot_be_read_says_which_render_failed() -> None:
    result = diff_manifests(chart(), chart() + "---\n# Source: web/templates/x.yaml\n[oops]\n")
    assert isinstance(result, RenderProblem)
    assert result.side == "head"
    text = "\n".join(manifest_diff_lines(result))
    assert "The head render could not be read" in text
    assert "`web/templates/x.yaml`" in text


# --- the diff -------------------------------------------------------------------------------------


def test_added_changed_removed_and_unchanged_are_each_found() -> None:
    base = chart()
    head = chart(replicas=3).replace("kind: ServiceAccount", "kind: ConfigMap").replace("name: web-reader", "name: r2")
    result = diff(base, head)
    assert statuses(result) == {
        "ServiceAccount/web -n shop": Status.REMOVED,
        "ClusterRole.rbac.authorization.k8s.io/web-reader": Status.REMOVED,
        "Deployment.apps/web -n shop": Status.CHANGED,
        "ConfigMap/web -n shop": Status.ADDED,
        "ClusterRole.rbac.authorization.k8s.io/r2": Status.ADDED,
    }
    assert [c.status for c in result.changes] == [Status.REMOVED] * 2 + [Status.CHANGED] + [Status.ADDED] * 2
    assert {key.name for key in result.unchanged} == {"web-db", "web-config", "web"}
    (changed,) = result.of_status(Status.CHANGED)
    assert "-  replicas: 2\n+  replicas: 3" in changed.diff
    counts = {c.kind: (c.added, c.changed, c.removed) for c in result.by_kind()}
    assert counts == {
        "ClusterRole.rbac.authorization.k8s.io": (1, 0, 1),
        "ConfigMap": (1, 0, 0),
        "Deployment.apps": (0, 1, 0),
        "ServiceAccount": (0, 0, 1),
    }


def test_a_diff_keeps_the_objects_own_key_order() -> None:
    (changed,) = diff(chart(), chart(image="1.5.0")).changes
    lines = changed.diff.split("\n")
    assert lines[:2] == ["--- base Deployment.apps/web -n shop", "+++ head Deployment.apps/web -n shop"]
    body = "\n".join(line[1:] for line in lines[3:])
    # apiVersion, kind, metadata, spec: as the template writes them, not alphabetically.
    assert body.index("name: web") < body.index("containerPort")
    assert "-        image: ghcr.io/example/web:1.4.2\n+        image: ghcr.io/example/web:1.5.0" in changed.diff


def test_reordering_documents_is_not_a_change() -> None:
    documents = chart().split("---\n")
    reordered = "---\n".join([documents[0], *reversed(documents[1:])])
    result = diff(chart(), reordered)
    assert result.changes == ()
    assert len(result.unchanged) == 7


def test_reordering_keys_is_not_a_change_and_moves_do_not_show_in_a_diff() -> None:
    base = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: '1', y: '2'}\n"
    moved = "kind: ConfigMap\ndata: {y: '2', x: '1'}\nmetadata: {name: a}\napiVersion: v1\n"
    assert diff(base, moved).changes == ()
    (changed,) = diff(base, moved.replace("'2'", "'3'")).changes
    assert [line for line in changed.diff.split("\n")[2:] if line[:1] in "+-"] == ["-  y: '2'", "+  y: '3'"]


def test_moving_an_object_to_another_template_is_not_a_change() -> None:
    moved = chart().replace("# Source: web/templates/service.yaml", "# Source: web/templates/svc.yaml")
    assert diff(chart(), moved).changes == ()


def test_an_api_version_bump_is_a_change_of_the_same_object() -> None:
    head = chart().replace("autoscaling/v2", "autoscaling/v2beta2")
    (change,) = diff(chart(), head).changes
    assert change.status is Status.CHANGED
    assert "-apiVersion: autoscaling/v2\n+apiVersion: autoscaling/v2beta2" in change.diff


def test_a_number_that_becomes_a_boolean_is_a_change() -> None:
    # 1 == True in Python; not in Kubernetes.
    base = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nx: 1\n"
    (change,) = diff(base, base.replace("x: 1", "x: true")).changes
    assert "-x: 1\n+x: true" in change.diff


# --- Secrets --------------------------------------------------------------------------------------


def test_a_secret_whose_value_changed_names_the_key_and_shows_no_value() -> None:
    result = diff(chart(), chart(password=NEW_PASSWORD))
    (change,) = result.changes
    assert change.key == ObjectKey("", "Secret", "shop", "web-db")
    assert change.only_redacted
    assert change.redacted_keys == ("data.password",)
    text = "\n".join(manifest_diff_lines(result))
    assert (
        "- `Secret/web-db -n shop` (from `web/templates/secret.yaml`): changed (values redacted): `data.password`"
        in (text)
    )
    written = everything_written(result)
    for secret in (PASSWORD, NEW_PASSWORD, b64(PASSWORD), b64(NEW_PASSWORD), API_TOKEN, b64("web")):
        assert secret not in written


def test_an_added_secret_shows_its_keys_and_no_value() -> None:
    result = diff(chart().replace("name: web-db", "name: old-db"), chart(password=NEW_PASSWORD))
    added = next(c for c in result.changes if c.status is Status.ADDED)
    assert f"+  password: {REDACTED}" in added.diff
    assert f"+  api-token: {REDACTED}" in added.diff
    written = everything_written(result)
    for secret in (PASSWORD, NEW_PASSWORD, b64(PASSWORD), b64(NEW_PASSWORD), API_TOKEN):
        assert secret not in written


def test_a_secret_with_a_new_key_and_a_changed_value_shows_both_and_no_value() -> None:
    head = chart(password=NEW_PASSWORD).replace("  username:", f"  extra: {b64('new-extra-value')}\n  username:")
    result = diff(chart(), head)
    (change,) = result.changes
    assert change.redacted_keys == ("data.password",)
    assert f"+  extra: {REDACTED}" in change.diff
    text = "\n".join(manifest_diff_lines(result))
    assert "Also changed (values redacted): `data.password`" in text
    assert "new-extra-value" not in everything_written(result)
    assert NEW_PASSWORD not in everything_written(result)


def test_a_secret_value_copied_into_another_object_is_hidden_there_too() -> None:
    head = chart().replace("LOG_LEVEL: info", f"LOG_LEVEL: info\n  DB_PASSWORD: {PASSWORD}")
    result = diff(chart(), head)
    (change,) = result.changes
    assert change.key.kind == "ConfigMap"
    text = "\n".join(manifest_diff_lines(result))
    assert "DB_PASSWORD: (sensitive value)" in text
    assert PASSWORD not in text


# --- markdown -------------------------------------------------------------------------------------


def test_removals_come_first_above_the_fold() -> None:
    head = chart(replicas=4).replace("kind: ServiceAccount", "kind: ConfigMap")
    text = "\n".join(manifest_diff_lines(diff(chart(), head)))
    fold = text.index("<details>")
    assert text.index("#### 🗑️ Removed (1)") < text.index("#### 🔧 Changed (1)") < text.index("#### ➕ Added (1)")
    assert "`ServiceAccount/web -n shop` (from `web/templates/serviceaccount.yaml`)" in text[:fold]
    assert text.index("| Kind | Add | Change | Remove |") < fold
    assert text.startswith("### 📦 Rendered manifests: 1 to add, 1 to change, 1 to remove (5 unchanged).")


def test_no_changes_says_so_in_one_line() -> None:
    lines = manifest_diff_lines(diff(chart(), chart()), title="web in shop")
    assert lines == ["### 📦 web in shop: no changes (7 unchanged)."]


HOSTILE = [
    "web`](https://evil.example)`",
    "</details><script>alert(1)</script>",
    "@octocat",
    "<img src=x onerror=alert(1)>",
    "x\n---\n# heading",
    "````",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_and_templates_stay_inert(name: str) -> None:
    quoted = json.dumps(name)  # JSON is YAML: the name reaches Olympus exactly as written

    def document(kind: str, data: str, source: str = "c/templates/x.yaml") -> str:
        return f"---\n# Source: {source}\napiVersion: v1\nkind: {kind}\nmetadata: {{name: {quoted}}}\n{data}\n"

    base = document("ConfigMap", "data: {a: b}") + document("Secret", "data: {}")
    head = document("ConfigMap", "data: {a: c}") + document("Service", "spec: {}", name.splitlines()[0])
    result = diff(base, head)
    assert [c.status for c in result.changes] == [Status.REMOVED, Status.CHANGED, Status.ADDED]
    parts = render_manifest_comment(result, key="helm-web")
    for part in parts:
        assert_renders_safely(part, inert=True)
    text = "\n".join(parts)
    assert name.split("\n")[0].replace("@", "@" + WORD_JOINER) in shown(text)


def test_a_backtick_run_in_a_diff_gets_a_longer_fence() -> None:
    base = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: 'one'}\n"
    result = diff(base, base.replace("'one'", "'`````\n\n</details>'"))
    lines = manifest_diff_lines(result)
    assert "``````diff" in lines
    assert_renders_safely("\n".join(lines), inert=True)


def test_a_huge_object_diff_is_cut_with_a_note() -> None:
    base = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n"
    head = base + "".join(f"  key{i}: value-{i}\n" for i in range(1_000))
    (change,) = diff(base, head).changes
    total = len(change.diff.split("\n"))
    assert total > 1_000
    text = "\n".join(manifest_diff_lines(diff(base, head)))
    assert f"_This object's diff is cut to its first {MAX_DIFF_LINES:,} of {total:,} lines._" in text
    assert "key100:" in text and "key999:" not in text


def test_a_huge_render_is_split_into_parts_that_fit_and_keeps_every_count() -> None:
    def many(value: str) -> str:
        return "".join(
            f"---\n# Source: big/templates/cm-{i}.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\n"
            f"data:\n" + "".join(f"  k{j}: {value}-{i}-{j}\n" for j in range(40))
            for i in range(400)
        )

    result = diff(many("old"), many("new"))
    parts = render_manifest_comment(result, key="helm-big", limit=20_000)
    assert len(parts) > 1
    for part in parts:
        assert len(part) <= 20_000
        assert_renders_safely(part, inert=True)
    first = parts[0]
    assert "0 to add, 400 to change, 0 to remove" in first
    assert "| `ConfigMap` | 0 | 400 | 0 |" in first
    text = "\n".join(parts)
    assert "Shown by name only, to keep the comment readable" in text
    assert "<details><summary>🔧 ConfigMap/cm-0 -n shop · from big/templates/cm-0.yaml</summary>" in text
    with_diff = set(re.findall(r"<details><summary>🔧 ConfigMap/(\S+)", text))  # once, if split across parts
    named = re.findall(r"^- `ConfigMap/(\S+)", text, re.MULTILINE)
    assert len(with_diff) + len(named) + int(text.split("- … and ")[1].split()[0]) == 400


# --- properties -----------------------------------------------------------------------------------

_names = st.text(alphabet="abcxyz-.`<>@/", min_size=1, max_size=6)
_values = st.one_of(st.integers(-3, 3), st.booleans(), st.text(alphabet="ab `\n<>", max_size=5), st.none())


@st.composite
def renders(draw: st.DrawFn) -> str:
    """A render of a few ConfigMaps, Secrets and Deployments with small bodies."""
    documents: list[str] = []
    kinds = [("v1", "ConfigMap"), ("v1", "Secret"), ("apps/v1", "Deployment")]
    seen: set[tuple[str, str]] = set()
    for _ in range(draw(st.integers(0, 6))):
        api_version, kind = draw(st.sampled_from(kinds))
        name = draw(_names)
        if (kind, name) in seen:
            continue
        seen.add((kind, name))
        data = draw(st.dictionaries(st.sampled_from(["a", "b", "c"]), _values, max_size=3))
        body = {"apiVersion": api_version, "kind": kind, "metadata": {"name": name}, "data": data}
        documents.append(f"# Source: t/templates/{kind}.yaml\n{_json(body)}")
    return "".join(f"---\n{document}\n" for document in documents)


def _json(value: object) -> str:
    return json.dumps(value)  # JSON is YAML: a test render without a YAML writer of its own


def keys_of(text: str) -> set[ObjectKey]:
    return set(render(text).objects)


@settings(max_examples=80, deadline=None)
@given(renders())
def test_a_render_compared_with_itself_has_no_changes(text: str) -> None:
    result = diff(text, text)
    assert result.changes == ()
    assert set(result.unchanged) == keys_of(text)
    assert manifest_diff_lines(result)[1:] == []


@settings(max_examples=80, deadline=None)
@given(renders(), renders())
def test_every_object_of_either_render_is_classified_exactly_once(base: str, head: str) -> None:
    result = diff(base, head)
    classified = [c.key for c in result.changes] + list(result.unchanged)
    assert len(classified) == len(set(classified))
    assert set(classified) == keys_of(base) | keys_of(head)
    for change in result.changes:
        expected = {
            (True, False): Status.REMOVED,
            (False, True): Status.ADDED,
            (True, True): Status.CHANGED,
        }[change.key in keys_of(base), change.key in keys_of(head)]
        assert change.status is expected
    assert diff_renders(render(head), render(base)).unchanged == result.unchanged


@settings(max_examples=60, deadline=None)
@given(renders(), renders())
def test_every_comment_renders_safely(base: str, head: str) -> None:
    for part in render_manifest_comment(diff(base, head), key="helm-x", limit=2_000):
        assert len(part) <= 2_000
        assert_renders_safely(part, inert=True)
