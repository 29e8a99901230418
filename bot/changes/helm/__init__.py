"""Helm changes: the example chart Olympus scaffolds, and (later) values changes to a repository's charts."""
