"""The fix loop's domain: what kind of failure a failed init, plan, apply or policy check is, and where it is."""
