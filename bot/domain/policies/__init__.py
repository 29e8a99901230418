"""Policy as code: policy sets over the plan (and rendered manifests), their results, approvals and reporting."""
