# A roster is imported by its connection ID: every sales user of the connection
# becomes a member, with its explicit role, team and hidden components.
terraform import salesseat_sales_users.production conn_4f1a2b3c4d5e6f70
