"""Use cases, one per module: propose a change, plan it, gate and apply it."""
