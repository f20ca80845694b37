"""Game sessions and daily progress in DynamoDB; every counter changes atomically (CONTRACT §2.3)."""

from __future__ import annotations

import math
import threading
from collections import OrderedDict

from progress.records import DailyProgress, GameProgressDelta, GameSession
from vela.dynamodb import ConditionFailed, DynamoTable
from vela.dynamodb_codec import from_item, to_av, to_item

MIGRATION_ATTEMPTS = 8
# One game added to its day; the values come from `_delta_values`.
ADD_GAME = (
    "ADD vocabulary_studied :v, sentences_completed :s, time_spent_minutes :t, experience_gained :x, "
    "games_played :one, accuracy_sum :a"
)


def js_round(value: float) -> int:
    """JavaScript Math.round (half toward +infinity), not Python's banker's rounding."""
    return math.floor(value + 0.5)


class GameSessionRepository:
    """Key: `user_id` (S) + `session_id` (S)."""

    def __init__(self, table: DynamoTable | None = None) -> None:
        self._table = table or DynamoTable("game_sessions")

    def add(self, session: GameSession) -> None:
        self._table.call("put_item", Item=to_item(session.to_dict()))

    def add_entry(self, session: GameSession) -> dict[str, object]:
        """`add` as a TransactWriteItems entry."""
        return self._table.entry("Put", Item=to_item(session.to_dict()))

    def list_for_user(self, *, user_id: str) -> list[GameSession]:
        sessions: list[GameSession] = []
        kwargs: dict[str, object] = {
            "KeyConditionExpression": "user_id = :u",
            "ExpressionAttributeValues": {":u": {"S": user_id}},
        }
        while True:
            page = self._table.call("query", **kwargs)
            sessions.extend(GameSession.from_dict(from_item(item)) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return sessions
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


class DailyProgressRepository:
    """Key: `user_id` (S) + `date` (S)."""

    def __init__(self, table: DynamoTable | None = None) -> None:
        self._table = table or DynamoTable("daily_progress")

    def get(self, *, user_id: str, date: str) -> DailyProgress | None:
        item = self._table.call("get_item", Key=self._key(user_id, date), ConsistentRead=True).get("Item")
        return DailyProgress.from_dict(from_item(item)) if item else None

    def add_game(self, *, user_id: str, date: str, delta: GameProgressDelta) -> DailyProgress:
        """Add one game to the day, atomically, in one write when this process knows the row.

        - Unknown row: create it in one conditional write (it must not exist yet).
        - Row seen by this process (its last state is remembered): ADD the game and SET the new
          `accuracy_percentage` in one write, conditional on `games_played` being what we saw.
        - Otherwise, or when a condition fails (another writer got there first): the two-step path.
        Every counter only ever changes by ADD, so no path can lose an update.
        """
        key = (user_id, date)
        known = _last_seen.get(key)
        if known is None:
            day = self._create(user_id, date, delta)
        else:
            day = self._add_expecting(known, delta)
        if day is None:
            day = self._add_then_settle(user_id, date, delta)
        _remember(key, day)
        return day

    def plan_game(
        self, *, user_id: str, date: str, delta: GameProgressDelta
    ) -> tuple[dict[str, object], DailyProgress] | None:
        """The one conditional write that adds this game, as a TransactWriteItems entry, and the row it
        leaves; None when this process cannot plan it (a row of the original API, without a sum).

        Planned from what this process last saw of the row (or as a new row): the condition makes the
        write fail, writing nothing, if that knowledge is stale. Call `remember` once it succeeded.
        """
        known = _last_seen.get((user_id, date))
        if known is None:
            day = _first_game(user_id, date, delta)
            return self._table.entry("Put", **self._create_request(day)), day
        if known.accuracy_sum is None:
            return None
        request, day = self._add_request(known, delta)
        return self._table.entry("Update", **request), day

    @staticmethod
    def remember(day: DailyProgress) -> None:
        _remember((day.user_id, day.date), day)

    def _create(self, user_id: str, date: str, delta: GameProgressDelta) -> DailyProgress | None:
        day = _first_game(user_id, date, delta)
        try:
            self._table.call("put_item", **self._create_request(day))
        except ConditionFailed:
            return None
        return day

    def _add_expecting(self, known: DailyProgress, delta: GameProgressDelta) -> DailyProgress | None:
        if known.accuracy_sum is None:
            return None
        request, _ = self._add_request(known, delta)
        try:
            response = self._table.call("update_item", **request, ReturnValues="ALL_NEW")
        except ConditionFailed:
            return None
        return DailyProgress.from_dict(from_item(response["Attributes"]))

    @staticmethod
    def _create_request(day: DailyProgress) -> dict[str, object]:
        return {"Item": to_item(_fields(day)), "ConditionExpression": "attribute_not_exists(user_id)"}

    def _add_request(self, known: DailyProgress, delta: GameProgressDelta) -> tuple[dict[str, object], DailyProgress]:
        """ADD the game and SET the new percentage, only if `games_played` is still what we saw."""
        assert known.accuracy_sum is not None  # noqa: S101 - callers check
        games = known.games_played + 1
        accuracy_sum = known.accuracy_sum + delta.accuracy
        percentage = js_round(accuracy_sum / games)
        request = {
            "Key": self._key(known.user_id, known.date),
            "UpdateExpression": f"{ADD_GAME} SET accuracy_percentage = :p",
            "ConditionExpression": "games_played = :gp AND attribute_exists(accuracy_sum)",
            "ExpressionAttributeValues": {
                **_delta_values(delta),
                ":p": {"N": str(percentage)},
                ":gp": to_av(known.games_played),
            },
        }
        day = DailyProgress(
            user_id=known.user_id,
            date=known.date,
            vocabulary_studied=known.vocabulary_studied + delta.vocabulary_studied,
            sentences_completed=known.sentences_completed + delta.sentences_completed,
            time_spent_minutes=known.time_spent_minutes + delta.time_spent_minutes,
            experience_gained=known.experience_gained + delta.experience_gained,
            games_played=games,
            accuracy_percentage=percentage,
            accuracy_sum=accuracy_sum,
        )
        return request, day

    def _add_then_settle(self, user_id: str, date: str, delta: GameProgressDelta) -> DailyProgress:
        """One atomic ADD, then settle `accuracy_percentage`.

        The ADD is conditional on the row carrying `accuracy_sum` (or not existing yet); a row written
        by the original API is first given its sum (accuracy_percentage x games_played), once.
        """
        for _ in range(MIGRATION_ATTEMPTS):
            try:
                response = self._table.call(
                    "update_item",
                    Key=self._key(user_id, date),
                    UpdateExpression=ADD_GAME,
                    ConditionExpression="attribute_exists(accuracy_sum) OR attribute_not_exists(games_played)",
                    ExpressionAttributeValues=_delta_values(delta),
                    ReturnValues="ALL_NEW",
                )
                break
            except ConditionFailed:
                self._give_legacy_row_its_sum(user_id, date)
        else:  # pragma: no cover - needs a row that keeps changing shape under us
            raise ConditionFailed(f"daily progress {user_id}/{date} kept changing during migration")
        totals = DailyProgress.from_dict(from_item(response["Attributes"]))
        percentage = js_round(totals.accuracy_sum / totals.games_played) if totals.games_played else 0
        if "accuracy_percentage" in response["Attributes"] and totals.accuracy_percentage == percentage:
            # Already right for these totals (a running average rarely moves by a whole point): no write.
            return totals
        try:
            # Only while no later game has been added: that game's writer settles the value itself.
            self._table.call(
                "update_item",
                Key=self._key(user_id, date),
                UpdateExpression="SET accuracy_percentage = :p",
                ConditionExpression="games_played = :gp",
                ExpressionAttributeValues={":p": {"N": str(percentage)}, ":gp": to_av(totals.games_played)},
            )
        except ConditionFailed:
            pass
        return DailyProgress(**{**_fields(totals), "accuracy_percentage": percentage})

    def _give_legacy_row_its_sum(self, user_id: str, date: str) -> None:
        row = self.get(user_id=user_id, date=date)
        if row is None or row.accuracy_sum is not None:
            return
        try:
            self._table.call(
                "update_item",
                Key=self._key(user_id, date),
                UpdateExpression="SET accuracy_sum = :sum",
                ConditionExpression="attribute_not_exists(accuracy_sum) AND games_played = :gp",
                ExpressionAttributeValues={
                    ":sum": to_av((row.accuracy_percentage or 0) * row.games_played),
                    ":gp": to_av(row.games_played),
                },
            )
        except ConditionFailed:
            pass  # changed meanwhile: the caller retries

    @staticmethod
    def _key(user_id: str, date: str) -> dict[str, dict[str, str]]:
        return {"user_id": {"S": user_id}, "date": {"S": date}}


# The last state this process saw of each (user, date) row: lets the next game of the day be one
# conditional write. Bounded; a stale entry only costs a failed condition and the two-step path.
_last_seen: OrderedDict[tuple[str, str], DailyProgress] = OrderedDict()
_last_seen_lock = threading.Lock()
LAST_SEEN_SIZE = 10_000


def _remember(key: tuple[str, str], day: DailyProgress) -> None:
    with _last_seen_lock:
        _last_seen[key] = day
        _last_seen.move_to_end(key)
        while len(_last_seen) > LAST_SEEN_SIZE:
            _last_seen.popitem(last=False)


def forget_seen_rows() -> None:
    with _last_seen_lock:
        _last_seen.clear()


def _first_game(user_id: str, date: str, delta: GameProgressDelta) -> DailyProgress:
    return DailyProgress(
        user_id=user_id,
        date=date,
        vocabulary_studied=delta.vocabulary_studied,
        sentences_completed=delta.sentences_completed,
        time_spent_minutes=delta.time_spent_minutes,
        experience_gained=delta.experience_gained,
        games_played=1,
        accuracy_percentage=js_round(delta.accuracy),
        accuracy_sum=delta.accuracy,
    )


def _delta_values(delta: GameProgressDelta) -> dict[str, dict[str, str]]:
    return {
        ":v": to_av(delta.vocabulary_studied),
        ":s": to_av(delta.sentences_completed),
        ":t": to_av(delta.time_spent_minutes),
        ":x": to_av(delta.experience_gained),
        ":one": {"N": "1"},
        ":a": to_av(delta.accuracy),
    }


def _fields(progress: DailyProgress) -> dict[str, object]:
    return {name: getattr(progress, name) for name in DailyProgress.__slots__}  # type: ignore[attr-defined]
