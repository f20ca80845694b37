"""Django database backend for Amazon Aurora DSQL: `ENGINE = "dsql_backend"`.

Self-contained (imports nothing from the Vela project). A subclass of Django's PostgreSQL backend on
psycopg 3 that signs a fresh IAM auth token for every new connection with a process-wide boto3 client.
"""
