"""Tests of OIDC credentials; a package so other tests can start the local issuer (`from oidc.issuer import ...`)."""
