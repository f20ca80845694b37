"""Profiles in DynamoDB (low-level client, hand-written attribute maps: this is the hottest table)."""

from __future__ import annotations

from typing import Any

from profiles.records import Profile
from vela.dynamodb import ConditionFailed, DynamoTable, Transaction, from_item, to_av, to_item


class ProfileRepository:
    """Key: `user_id` (S)."""

    def __init__(self, table: DynamoTable | None = None) -> None:
        self._table = table or DynamoTable("profiles")

    def get(self, *, user_id: str) -> Profile | None:
        item = self._table.call("get_item", Key={"user_id": {"S": user_id}}).get("Item")
        return Profile.from_dict(from_item(item)) if item else None

    def create_if_absent(self, profile: Profile) -> bool:
        """Put the profile unless one exists; False (and nothing written) if it does."""
        try:
            self._table.call(
                "put_item", Item=to_item(profile.to_dict()), ConditionExpression="attribute_not_exists(user_id)"
            )
        except ConditionFailed:
            return False
        return True

    def upsert_fields(self, *, user_id: str, values: dict[str, Any]) -> Profile:
        """SET each of `values` (creating the item if needed, as the original); returns the whole item."""
        names = {f"#f{i}": name for i, name in enumerate(values)}
        attr_values = {f":v{i}": to_av(value) for i, value in enumerate(values.values())}
        expression = "SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(values)))
        response = self._table.call(
            "update_item",
            Key={"user_id": {"S": user_id}},
            UpdateExpression=expression,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=attr_values,
            ReturnValues="ALL_NEW",
        )
        return Profile.from_dict(from_item(response["Attributes"]))

    def add_experience(self, *, user_id: str, amount: int | float, at: str, tx: Transaction | None = None) -> bool:
        """Atomically `total_experience += amount` and stamp `last_activity`; False if no profile exists.

        With `tx`, the write joins that transaction instead (which is then cancelled if no profile
        exists) and True is returned.
        """
        request = self._experience_request(user_id, amount, at)
        if tx is not None:
            tx.add(self._table.entry("Update", **request))
            return True
        try:
            self._table.call("update_item", **request)
        except ConditionFailed:
            return False
        return True

    @staticmethod
    def _experience_request(user_id: str, amount: int | float, at: str) -> dict[str, Any]:
        return {
            "Key": {"user_id": {"S": user_id}},
            "UpdateExpression": "ADD total_experience :xp SET last_activity = :at",
            "ConditionExpression": "attribute_exists(user_id)",
            "ExpressionAttributeValues": {":xp": to_av(amount), ":at": {"S": at}},
        }
