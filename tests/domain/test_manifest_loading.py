"""The faster manifest parse gives what PyYAML's safe loader gives, and the diff and comment bytes of before."""

from __future__ import annotations

import hashlib
import importlib.util
import math
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.manifests import (
    ParseMemo,
    Render,
    diff_manifests,
    diff_renders,
    loading,
    parse_render,
    render_manifest_comment,
)
from bot.domain.manifests.loading import load_document

ROOT = Path(__file__).resolve().parents[2]


# What objects.py loaded with before the fast path: PyYAML's safe loader, libyaml's when there, no memo.
BEFORE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def reference(document: str) -> object:
    return yaml.load(document, Loader=BEFORE)  # noqa: S506 - a safe loader, C or Python


def fast(document: str) -> object:
    return load_document(document, ParseMemo())


def same_value(a: object, b: object) -> bool:
    """Equal with types and key order (repr shows both: 1 and True, 1 and 1.0, {a, b} and {b, a} differ)."""
    return repr(a) == repr(b)


# Every way YAML can stray from a plain tree of mappings, lists and scalars, each of which the fast path must
# either build as PyYAML does or leave to PyYAML's constructor.
TRICKY = [
    "a: 1\nb: 1.5\nc: true\nd: ~\ne: yes\nf: 0o17\ng: 0x1f\nh: 1_000\ni: .inf\nj: -.inf\nk: '1'\n",
    "when: 2024-01-02\nat: 2024-01-02T03:04:05Z\nlocal: 2024-01-02 03:04:05.5\n",
    "blob: !!binary aGVsbG8=\n",
    "base: &b {x: 1, y: [1, 2]}\nother: *b\nagain: *b\n",
    "base: &b {x: 1}\nmerged:\n  <<: *b\n  y: 2\n",
    "merged:\n  <<: [{a: 1}, {b: 2}]\n  a: 3\n",
    "= : value\n",
    "? [a, b]\n: complex key\n",
    "? {a: 1}\n: complex key\n",
    "set: !!set {a, b}\n",
    "omap: !!omap [a: 1, b: 2]\n",
    "pairs: !!pairs [a: 1, a: 2]\n",
    "dup: 1\ndup: 2\nfirst: 0\n",
    "explicit: !!str 123\nnumber: !!int '7'\nfloat: !!float '2'\n",
    "bad: !!int abc\n",
    "unknown: !thing {a: 1}\n",
    "recursive: &r [*r]\n",
    "str_map: !!str {a: 1}\n",
    "1: int key\n1.5: float key\ntrue: bool key\nnull: null key\n2024-01-02: date key\n",
    "nan: .nan\n",
    "- a\n- [b, {c: d}]\n- {}\n- []\n",
    "'quoted': \"double\"\nplain: text with: colon\nblock: |\n  line one\n  line two\nfolded: >\n  a\n  b\n",
    "deep: " + "[" * 60 + "]" * 60 + "\n",
    "",
    "# only a comment\n",
    "just a scalar\n",
    "a: b\n---\nc: d\n",
    "a: [unclosed\n",
    "a: *undefined\n",
]


@pytest.mark.parametrize("document", TRICKY)
def test_the_fast_load_gives_what_pyyaml_gives_or_raises_what_it_raises(document: str) -> None:
    try:
        expected: object = reference(document)
    except Exception as error:  # noqa: BLE001 - the same failure is what is expected
        with pytest.raises(type(error)) as raised:
            fast(document)
        assert str(raised.value) == str(error)
        return
    got = fast(document)
    if "nan" in document:
        assert isinstance(got, dict) and math.isnan(got["nan"])
    assert same_value(got, expected)


def test_an_alias_shares_its_value_as_pyyaml_does() -> None:
    loaded = fast("base: &b {x: 1}\nother: *b\n")
    assert isinstance(loaded, dict) and loaded["base"] is loaded["other"]


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=8),
    st.dates(),
    st.binary(max_size=6),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.one_of(st.text(max_size=5), st.integers()), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(_values, st.booleans())
def test_any_value_written_as_yaml_loads_the_same_fast(value: object, flow: bool) -> None:
    document = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)
    assert same_value(fast(document), reference(document))


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_manifest_diff", ROOT / "benchmarks" / "bench_manifest_diff.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("objects", "changed", "size", "sha256"),
    [
        # Taken at 663c17f, before the fast path: the comment's bytes must not move.
        (200, 20, 9_828, "cf37df1cad621ba784fdffaceeb44487fbfeab5a8ab961895177a29869de637a"),
        (60, 7, 3_751, "e3043940f7ffc43502caf179656a5cc3bedb3744a8c2fda46a33d76de3dfd149"),
    ],
)
def test_the_benchmark_comment_is_byte_for_byte_what_it_was(objects: int, changed: int, size: int, sha256: str) -> None:
    bench = _bench()
    base = bench.generated_render(objects, changed, head=False)
    head = bench.generated_render(objects, changed, head=True)
    parts = bench.whole(base, head)
    assert sum(len(part.encode()) for part in parts) == size
    assert hashlib.sha256("\x00".join(parts).encode()).hexdigest() == sha256


def _separately(base: str, head: str) -> list[str]:
    """The comment from two renders parsed on their own (as the plan step does): no memo shared."""
    renders = [parse_render(text, default_namespace="shop") for text in (base, head)]
    assert isinstance(renders[0], Render) and isinstance(renders[1], Render)
    return render_manifest_comment(diff_renders(renders[0], renders[1]), key="x")


_document_bodies = st.sampled_from(
    [
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  a: '1'\n",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  a: 1\n",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\ndata:\n  x: .nan\n",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\ndata:\n  x: c2VjcmV0\n",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec: &s {{replicas: 2}}\nx: *s\n",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  <<: {{replicas: 3}}\n",
        "apiVersion: v1\nkind: List\nitems:\n- {{apiVersion: v1, kind: Service, metadata: {{name: {name}}}}}\n",
        "",
    ]
)


@st.composite
def render_texts(draw: st.DrawFn) -> str:
    chosen = draw(st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), _document_bodies, max_size=4))
    return "".join(f"---\n# Source: t/templates/{name}.yaml\n{body.format(name=name)}" for name, body in chosen.items())


@settings(max_examples=150, deadline=None)
@given(render_texts(), render_texts())
def test_one_memo_for_both_renders_changes_nothing_in_the_comment(base: str, head: str) -> None:
    shared = diff_manifests(base, head, default_namespace="shop")
    assert render_manifest_comment(shared, key="x") == _separately(base, head)


def test_documents_both_renders_hold_are_parsed_once() -> None:
    text = "---\n# Source: t/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
    memo = ParseMemo()
    base, head = (parse_render(text, memo=memo) for _ in range(2))
    assert isinstance(base, Render) and isinstance(head, Render)
    (before,), (after,) = base.objects.values(), head.objects.values()
    assert before.body is after.body
    assert len(memo.documents) == 1


def test_an_identical_secret_with_a_nan_value_is_still_reported_as_before() -> None:
    text = "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  x: .nan\n"
    shared = diff_manifests(text, text, default_namespace="shop")
    assert render_manifest_comment(shared, key="x") == _separately(text, text)


def test_a_plain_document_is_built_without_pyyamls_constructor(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: object, node: object) -> object:
        raise AssertionError("the plain walk should have built this document")

    monkeypatch.setattr(loading._Loader, "construct_document", refuse)
    expected = {"kind": "Service", "spec": {"ports": [{"port": 80}]}}
    assert fast("kind: Service\nspec:\n  ports: [{port: 80}]\n") == expected
