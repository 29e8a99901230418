"""Request → ChangeSet: code generators for Terraform (and later Helm and Argo CD)."""
