"""Typed test doubles shared by the test suite (a package so that `fakes.github` never shadows PyGithub)."""
