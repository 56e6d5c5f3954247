import {
  to = salesseat_crm_connection.production
  id = "conn_4f1c9a7e2b"
}
