# Partial configuration: the bucket, key and lock table come from -backend-config at init.
terraform {
  backend "s3" {}
}
