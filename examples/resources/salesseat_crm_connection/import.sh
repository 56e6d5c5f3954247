# A connection is imported by its ID. Credentials are never returned by the
# API, so keep the credential arguments (and credentials_wo_version) in the
# configuration: the first apply after the import sends them once and
# re-authorizes the connection.
terraform import salesseat_crm_connection.production conn_4f1c9a7e2b
