variable "region" {
  description = "Default AWS region of this environment."
  type        = string
  default     = "us-east-1"
}
