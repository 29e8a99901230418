"""Helm's naming rules for release names, namespaces and Kubernetes versions, checked before any argv is built."""

from __future__ import annotations

import re

__all__ = ["RELEASE_NAME_MAX", "check_kube_version", "check_namespace", "check_release_name"]

# Helm's own rule (pkg/chartutil/validate_name.go): a DNS-1123 label, at most 53 characters because Helm appends
# suffixes of up to 10 characters to the release name in the objects it names after it.
RELEASE_NAME_MAX = 53
NAMESPACE_MAX = 63
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_KUBE_VERSION = re.compile(r"v?[0-9]{1,3}\.[0-9]{1,3}(\.[0-9]{1,4})?")


def check_release_name(name: str) -> str:
    """The name when Helm would accept it as a release name, else a ValueError saying why."""
    return _dns_label("release name", name, RELEASE_NAME_MAX)


def check_namespace(name: str) -> str:
    """The name when Kubernetes would accept it as a namespace, else a ValueError saying why."""
    return _dns_label("namespace", name, NAMESPACE_MAX)


def check_kube_version(version: str) -> str:
    """A Kubernetes version such as `1.29` or `v1.29.3`, else a ValueError."""
    if not _KUBE_VERSION.fullmatch(version):
        raise ValueError(f"Kubernetes version {version!r} is not of the form 1.29 or v1.29.3")
    return version


def _dns_label(what: str, name: str, limit: int) -> str:
    if len(name) > limit:
        raise ValueError(f"{what} {name!r} is {len(name)} characters long; Helm allows at most {limit}")
    # fullmatch, not match with $: `$` also matches before a trailing newline.
    if not _DNS_LABEL.fullmatch(name):
        raise ValueError(
            f"{what} {name!r} must be lower-case letters, digits and '-', starting and ending with a letter or digit"
        )
    return name
