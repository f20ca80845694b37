"""Items of successful reads go to `vela.dynamodb.codec` as DynamoDB sent them, parsed once.

botocore's JSON parser walks every attribute value of every item against the service model
(`AttributeValue` structures inside maps inside lists), and then the codec walks the same items again
to turn the type descriptors into Python values: for a page of 20-40 items the first walk is most of
the request's CPU. On the boundary's client, a `before-parse` handler takes the item-bearing member of
a 2xx GetItem/Query/Scan/BatchGetItem answer from one `json.loads` of the body and hands botocore
only the rest (counts, LastEvaluatedKey, UnprocessedKeys, ConsumedCapacity), which it parses as before.

The items are then the wire form: the same dicts botocore builds except that binary values (`B`, `BS`)
stay base64 text instead of bytes, which is what `from_av` returns for them anyway. Keys that are sent
back (LastEvaluatedKey, UnprocessedKeys) still go through botocore. Error answers are not touched, so
the error table sees the same `ClientError`s.
"""

from __future__ import annotations

import json
from typing import Any

# Operation -> the member of its output that holds items (GetItem: one, BatchGetItem: per table).
ITEM_MEMBERS = {"GetItem": "Item", "Query": "Items", "Scan": "Items", "BatchGetItem": "Responses"}
_HANDLER_ID = "vela-raw-item-reads"


def take_items(
    operation_model: Any, response_dict: dict[str, Any], customized_response_dict: dict[str, Any], **_: Any
) -> None:
    """botocore `before-parse` handler: move the items of a successful read past the parser."""
    member = ITEM_MEMBERS.get(operation_model.name)
    body = response_dict.get("body")
    if member is None or response_dict.get("status_code", 500) >= 300 or not body:
        return
    decoded = json.loads(body)
    if member not in decoded:
        return
    customized_response_dict[member] = decoded.pop(member)  # botocore merges it into the parsed output
    response_dict["body"] = json.dumps(decoded).encode() if decoded else b"{}"


def install(client: Any) -> Any:
    """`client` with the handler registered (once per client; botocore ignores a repeated unique_id).
    An object without botocore's event system (a test double) is returned as it is."""
    if not getattr(client, "_vela_raw_reads", False):
        events = getattr(getattr(client, "meta", None), "events", None)
        if events is not None:
            events.register("before-parse.dynamodb", take_items, unique_id=_HANDLER_ID)
        client._vela_raw_reads = True
    return client
