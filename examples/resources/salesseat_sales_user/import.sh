# A sales user is imported by its ID ...
terraform import salesseat_sales_user.priya su_9b3f6e1d2c

# ... or by the CRM username of its CRM user.
terraform import salesseat_sales_user.priya username:priya.patel@acme.example
