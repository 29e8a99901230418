terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "3.39.0" }
  }
  backend "s3" {}
}

provider "aws" {
  region = "eu-west-1"
}

resource "aws_s3_bucket" "exports" {
  bucket = "corpus-exports-${var.environment}"
}
