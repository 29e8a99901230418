"""The fix loop's domain: failure classes, the evidence the model reads, its proposals, and the attempts kept."""
