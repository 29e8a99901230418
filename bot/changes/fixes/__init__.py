"""Fixes the model proposes for a failed plan or apply: the rules a patch must keep before anyone sees it."""
