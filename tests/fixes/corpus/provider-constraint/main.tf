terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 99.0" }
  }
  backend "s3" {}
}

provider "aws" {
  region = "eu-west-1"
}

resource "aws_s3_bucket" "logs" {
  bucket = "corpus-constraint-logs"
}
