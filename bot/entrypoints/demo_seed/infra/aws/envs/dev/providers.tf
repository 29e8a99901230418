provider "aws" {
  region = var.region

  default_tags {
    tags = {
      managed-by = "olympus"
      env        = "dev"
    }
  }
}
