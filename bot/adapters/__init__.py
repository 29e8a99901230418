"""Adapters: the I/O behind the ports (git, Terraform, scanners, store, emulator)."""
