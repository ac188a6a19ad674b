terraform {
  required_providers {
    stratos = {
      source = "stratos-sh/stratos"
    }
  }
}
