terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "3.39.0" }
  }
  backend "s3" {}
}

provider "aws" {
  region = "eu-west-1"
}

variable "environment" {
  type    = string
  default = "production"

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "The environment must be one of dev, staging or prod."
  }
}

resource "aws_s3_bucket" "data" {
  bucket = "corpus-data-${var.environment}"
}
