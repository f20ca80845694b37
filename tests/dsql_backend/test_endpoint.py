import pytest
from django.core.exceptions import ImproperlyConfigured

from dsql_backend.endpoint import resolve_endpoint

CLUSTER = "abcdefghijklmnopqrstuvwxyz"


@pytest.mark.parametrize(
    ("host", "configured_region", "hostname", "region", "cluster_id"),
    [
        (f"{CLUSTER}.dsql.us-east-1.on.aws", None, f"{CLUSTER}.dsql.us-east-1.on.aws", "us-east-1", CLUSTER),
        (f"{CLUSTER}.dsql.us-west-2.on.aws", "us-east-1", f"{CLUSTER}.dsql.us-west-2.on.aws", "us-west-2", CLUSTER),
        (f"{CLUSTER.upper()}.DSQL.EU-WEST-1.ON.AWS.", None, f"{CLUSTER}.dsql.eu-west-1.on.aws", "eu-west-1", CLUSTER),
        (f"{CLUSTER}.dsql-fnh4.us-east-2.on.aws", None, f"{CLUSTER}.dsql-fnh4.us-east-2.on.aws", "us-east-2", CLUSTER),
        (CLUSTER, "us-east-2", f"{CLUSTER}.dsql.us-east-2.on.aws", "us-east-2", CLUSTER),
        ("127.0.0.1", "us-east-1", "127.0.0.1", "us-east-1", None),
        ("localhost", "us-east-1", "localhost", "us-east-1", None),
        ("db.internal.example.com", "eu-west-1", "db.internal.example.com", "eu-west-1", None),
    ],
)
def test_resolve_endpoint_parses_hostnames_and_cluster_ids(host, configured_region, hostname, region, cluster_id):
    endpoint = resolve_endpoint(host, configured_region)

    assert (endpoint.hostname, endpoint.region, endpoint.cluster_id) == (hostname, region, cluster_id)


def test_missing_endpoint_says_what_to_set():
    with pytest.raises(ImproperlyConfigured, match=r"set DATABASES\[alias\]\['HOST'\]"):
        resolve_endpoint("", "us-east-1")


def test_bare_cluster_id_without_region_says_what_to_set():
    with pytest.raises(ImproperlyConfigured, match=r"set DATABASES\[alias\]\['REGION'\]"):
        resolve_endpoint(CLUSTER, None)


def test_unknown_region_in_hostname_is_refused():
    with pytest.raises(ImproperlyConfigured, match="Unknown AWS region 'us-north-9'"):
        resolve_endpoint(f"{CLUSTER}.dsql.us-north-9.on.aws", None)


def test_malformed_region_is_refused():
    with pytest.raises(ImproperlyConfigured, match="not an AWS region"):
        resolve_endpoint(CLUSTER, "useast1")
