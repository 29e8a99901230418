"""The fix loop's domain: what a fix attempt records, and how attempts add up per failure class."""
