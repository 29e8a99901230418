"""Olympus's default policy set (policies/olympus), shipped as package data."""
