variable "region" {
  description = "Default AWS region of this environment."
  type        = string
  default     = "eu-west-1"
}
