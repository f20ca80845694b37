"""Provisioning, packaging and teardown of a Vela stage (Zappa on a VPC Lambda, DSQL, DynamoDB).

Nothing here runs inside the API; the management commands are operator tools (docs/deploy.md).
"""
