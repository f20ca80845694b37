"""Resolve a DSQL endpoint setting into (hostname, region) without touching the network.

- `<id>.dsql.<region>.on.aws` (also `dsql-<suffix>`): region comes from the hostname.
- a bare cluster id: expanded to `<id>.dsql.<region>.on.aws` with the configured region.
- anything else (an IP, `localhost`, a PrivateLink name): used as is, never rewritten; the region
  must then come from settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import ImproperlyConfigured

_DSQL_HOST = re.compile(r"^(?P<id>[a-z0-9]+)\.dsql(?:-[a-z0-9]+)?\.(?P<region>[a-z0-9-]+)\.on\.aws$")
# Cluster ids are lowercase base32-like strings (26 characters today); demand at least 16 so that
# short single-label hosts such as `localhost` or `db` are never mistaken for one.
_CLUSTER_ID = re.compile(r"^[a-z0-9]{16,64}$")
_REGION = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d+$")


@dataclass(frozen=True, slots=True)
class Endpoint:
    hostname: str
    region: str
    cluster_id: str | None


@cache
def known_regions() -> frozenset[str]:
    """Every region in botocore's bundled partition data (no network). botocore does not list
    DSQL's regions separately, so this catches typos and made-up regions, not DSQL availability."""
    from botocore.session import get_session

    resolver = get_session().get_component("endpoint_resolver")
    partitions = resolver._endpoint_data.get("partitions", [])
    return frozenset(region for partition in partitions for region in partition.get("regions", {}))


def _check_region(region: str, source: str) -> str:
    if not region:
        raise ImproperlyConfigured(
            f"Cannot tell the AWS region for the DSQL endpoint {source}: set DATABASES[alias]['REGION'] "
            "or use the full `<cluster-id>.dsql.<region>.on.aws` hostname in DATABASES[alias]['HOST']."
        )
    if not _REGION.match(region):
        raise ImproperlyConfigured(
            f"{region!r} is not an AWS region name (from {source}); check DATABASES[alias]['REGION']."
        )
    regions = known_regions()
    if regions and region not in regions:
        raise ImproperlyConfigured(
            f"Unknown AWS region {region!r} (from {source}); check DATABASES[alias]['HOST'] and "
            "DATABASES[alias]['REGION']."
        )
    return region


def resolve_endpoint(host: str, configured_region: str | None) -> Endpoint:
    host = (host or "").strip().lower().rstrip(".")
    if not host:
        raise ImproperlyConfigured(
            "The DSQL endpoint is not configured: set DATABASES[alias]['HOST'] to the cluster hostname "
            "(<cluster-id>.dsql.<region>.on.aws) or the bare cluster id."
        )
    if match := _DSQL_HOST.match(host):
        region = _check_region(match["region"], f"hostname {host!r}")
        return Endpoint(hostname=host, region=region, cluster_id=match["id"])
    if _CLUSTER_ID.match(host):
        region = _check_region(configured_region or "", f"cluster id {host!r}")
        return Endpoint(hostname=f"{host}.dsql.{region}.on.aws", region=region, cluster_id=host)
    region = _check_region(configured_region or "", f"host {host!r}")
    return Endpoint(hostname=host, region=region, cluster_id=None)
