variable "db_password" {
  type      = string
  sensitive = true
}

variable "token_ttl" {
  default = "3600s-rolling"
}
