"""Game sessions and daily progress in DynamoDB; every counter changes by ADD (CONTRACT §2.3).

Storage only: which write to try when, and the accuracy arithmetic, are the services' and
records' (`progress.services`, `DailyProgress.plus`). Methods that take `tx` add their write to
that transaction instead of calling DynamoDB.

Every write may reach DynamoDB twice (botocore re-sends a request whose answer it lost, and moto
ignores `ClientRequestToken`), so none counts a game twice: a session is only put while it does not
exist, and a day row lists the sessions it has counted (`counted_sessions`, a string set bounded by
that day's games) and only adds a session it does not list yet.
"""

from __future__ import annotations

from typing import Any

from progress.records import DailyProgress, GameProgressDelta, GameSession
from vela.dynamodb import ConditionFailed, DynamoTable, Transaction, from_item, to_av, to_item

# One game added to its day, and its session listed as counted; the values come from `_delta_values`.
COUNTED = "counted_sessions"
ADD_GAME = (
    "ADD vocabulary_studied :v, sentences_completed :s, time_spent_minutes :t, experience_gained :x, "
    f"games_played :one, accuracy_sum :a, {COUNTED} :sessions"
)
NEW_SESSION = "attribute_not_exists(session_id)"


class GameSessionRepository:
    """Key: `user_id` (S) + `session_id` (S)."""

    def __init__(self, table: DynamoTable | None = None) -> None:
        self._table = table or DynamoTable("game_sessions")

    def add(self, session: GameSession, *, tx: Transaction | None = None) -> bool:
        """Put the session unless it is stored already; False (nothing written) if it is: an earlier
        send of this same write got there. With `tx` a stored session cancels the transaction."""
        return self._table.write("Put", tx=tx, Item=to_item(session.to_dict()), ConditionExpression=NEW_SESSION)

    def list_for_user(self, *, user_id: str) -> list[GameSession]:
        pages = self._table.pages(
            "query", KeyConditionExpression="user_id = :u", ExpressionAttributeValues={":u": {"S": user_id}}
        )
        return [GameSession.from_dict(from_item(item)) for page in pages for item in page]


class DailyProgressRepository:
    """Key: `user_id` (S) + `date` (S)."""

    def __init__(self, table: DynamoTable | None = None) -> None:
        self._table = table or DynamoTable("daily_progress")

    def get(self, *, user_id: str, date: str) -> DailyProgress | None:
        item = self._table.call("get_item", Key=_key(user_id, date), ConsistentRead=True).get("Item")
        return DailyProgress.from_dict(from_item(item)) if item else None

    def create(self, day: DailyProgress, *, session_id: str, tx: Transaction | None = None) -> bool:
        """Put the day's first row (counting `session_id`) unless the row exists; False (nothing written) if it does."""
        item = {**to_item(day.to_dict()), COUNTED: {"SS": [session_id]}}
        return self._table.write("Put", tx=tx, Item=item, ConditionExpression="attribute_not_exists(user_id)")

    def add_game_if_unchanged(
        self,
        *,
        known: DailyProgress,
        delta: GameProgressDelta,
        after: DailyProgress,
        session_id: str,
        tx: Transaction | None = None,
    ) -> DailyProgress | None:
        """ADD the game and SET `after.accuracy_percentage`, only while `games_played` is what `known` says
        (so a re-send, which finds one more game, changes nothing).

        Returns the row as stored, or None when it changed since (nothing written). With `tx`, the
        write joins the transaction (which that condition may cancel) and `after` is returned.
        """
        request: dict[str, Any] = {
            "Key": _key(known.user_id, known.date),
            "UpdateExpression": f"{ADD_GAME} SET accuracy_percentage = :p",
            "ConditionExpression": "games_played = :gp AND attribute_exists(accuracy_sum)",
            "ExpressionAttributeValues": {
                **_delta_values(delta, session_id),
                ":p": to_av(after.accuracy_percentage),
                ":gp": to_av(known.games_played),
            },
        }
        if tx is not None:
            tx.add(self._table.entry("Update", **request))
            return after
        try:
            response = self._table.call("update_item", **request, ReturnValues="ALL_NEW")
        except ConditionFailed:
            return None
        return DailyProgress.from_dict(from_item(response["Attributes"]))

    def add_game(
        self, *, user_id: str, date: str, delta: GameProgressDelta, session_id: str
    ) -> tuple[DailyProgress, bool] | None:
        """ADD the game whatever the row holds, unless the row counted `session_id` already or is a row
        of the original API (no `accuracy_sum`).

        Returns the totals once the session is counted (by this write, or by an earlier send of it)
        and whether the row stores an `accuracy_percentage` at all; None when the row has no
        `accuracy_sum` yet (nothing written).
        """
        try:
            response = self._table.call(
                "update_item",
                Key=_key(user_id, date),
                UpdateExpression=ADD_GAME,
                ConditionExpression="(attribute_exists(accuracy_sum) OR attribute_not_exists(games_played)) "
                f"AND NOT contains({COUNTED}, :session)",
                ExpressionAttributeValues={**_delta_values(delta, session_id), ":session": {"S": session_id}},
                ReturnValues="ALL_NEW",
            )
        except ConditionFailed:
            item = self._table.call("get_item", Key=_key(user_id, date), ConsistentRead=True).get("Item") or {}
            if session_id not in item.get(COUNTED, {}).get("SS", []):
                return None
            attributes = item
        else:
            attributes = response["Attributes"]
        return DailyProgress.from_dict(from_item(attributes)), "accuracy_percentage" in attributes

    def set_percentage(self, *, user_id: str, date: str, games_played: int | float, percentage: int | float) -> bool:
        """SET `accuracy_percentage` while no later game has been added; False if one was."""
        return self._table.write(
            "Update",
            Key=_key(user_id, date),
            UpdateExpression="SET accuracy_percentage = :p",
            ConditionExpression="games_played = :gp",
            ExpressionAttributeValues={":p": to_av(percentage), ":gp": to_av(games_played)},
        )

    def set_sum_if_missing(self, *, user_id: str, date: str, games_played: int | float, accuracy_sum: float) -> bool:
        """Give a row of the original API its `accuracy_sum`, while it still has none and `games_played` holds."""
        return self._table.write(
            "Update",
            Key=_key(user_id, date),
            UpdateExpression="SET accuracy_sum = :sum",
            ConditionExpression="attribute_not_exists(accuracy_sum) AND games_played = :gp",
            ExpressionAttributeValues={":sum": to_av(accuracy_sum), ":gp": to_av(games_played)},
        )


def _key(user_id: str, date: str) -> dict[str, dict[str, str]]:
    return {"user_id": {"S": user_id}, "date": {"S": date}}


def _delta_values(delta: GameProgressDelta, session_id: str) -> dict[str, Any]:
    return {
        ":v": to_av(delta.vocabulary_studied),
        ":s": to_av(delta.sentences_completed),
        ":t": to_av(delta.time_spent_minutes),
        ":x": to_av(delta.experience_gained),
        ":one": {"N": "1"},
        ":a": to_av(delta.accuracy),
        ":sessions": {"SS": [session_id]},
    }
