terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "3.39.0" }
  }
  backend "s3" {}
}

provider "aws" {
  region = "eu-west-1"
}

resource "aws_iam_role" "lambda" {
  name               = "corpus-lambda"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_lambda_function" "handler" {
  function_name = "corpus-handler"
  role          = aws_iam_role.lambda.arn
  handler       = "index.handler"
  runtime       = "python2.6"
  filename      = "handler.zip"
}
