terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "3.39.0" }
  }
  backend "s3" {}
}

provider "aws" {
  region = "eu-west-1"
}

resource "aws_s3_bucket" "backups" {
  bucket = "corpus-backups"
}

resource "aws_s3_bucket_public_access_block" "backups" {
  bucket                  = aws_s3_bucket.backup.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
