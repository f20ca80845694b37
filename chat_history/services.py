"""Chat history (reference §5.3) with identity from the verified token (CONTRACT §2.1, §2.5, §2.6).

Ownership: a thread belongs to the user who started it (its owner marker, written with every message
in one transaction; older threads: the user of its earliest message). Only that user may add to it,
read it or delete it; anyone else gets 403 "Forbidden: You do not own this thread" (the original's
wording for delete). A thread with no messages reads as empty and deletes as a no-op, for anyone.
"""

from __future__ import annotations

from chat_history.records import ChatMessage, ThreadSummary
from chat_history.repositories import ChatHistoryRepository
from vela.dynamodb import failure_prefix
from vela.errors import ConflictError, ForbiddenError

NOT_OWNER = "Forbidden: You do not own this thread"
TITLE_UTF16_UNITS = 60
DEFAULT_TITLE = "Conversation"


def _ensure_owner(repo: ChatHistoryRepository, *, thread_id: str, user_id: str) -> bool:
    """True when the thread has messages (and they are the caller's); 403 when someone else's."""
    owner = repo.thread_owner(thread_id)
    if owner is not None and owner != user_id:
        raise ForbiddenError(NOT_OWNER, code="not_thread_owner")
    return owner is not None


def chat_message_save(*, message: ChatMessage, repo: ChatHistoryRepository | None = None) -> None:
    """Store one message (same ThreadId+Timestamp overwrites the caller's own earlier one)."""
    repo = repo or ChatHistoryRepository()
    with failure_prefix("Failed to save message"):
        _ensure_owner(repo, thread_id=message.thread_id, user_id=message.user_id)
        try:
            repo.put(message)
        except ConflictError as exc:  # another user owns the thread (or a message with this key)
            if exc.code != "owner_mismatch":
                raise  # 409 `thread_busy`: other writes on the thread kept colliding with this one
            raise ForbiddenError(NOT_OWNER, code="not_thread_owner") from exc


def chat_messages_list(
    *, thread_id: str, user_id: str | None, repo: ChatHistoryRepository | None = None
) -> list[ChatMessage]:
    """Every message of the caller's thread, in time order. `user_id=None` reads as the thread's owner
    (only for the tokenless December build during the migration window, see the view)."""
    repo = repo or ChatHistoryRepository()
    with failure_prefix("Failed to fetch messages"):
        page = repo.thread_messages(thread_id)
    if user_id is not None and page.items and page.items[0].user_id != user_id:
        raise ForbiddenError(NOT_OWNER, code="not_thread_owner")
    return page.items


def chat_thread_delete(*, thread_id: str, user_id: str, repo: ChatHistoryRepository | None = None) -> int:
    """Delete every message of the caller's thread; returns how many were deleted."""
    repo = repo or ChatHistoryRepository()
    with failure_prefix("Failed to fetch messages"):
        exists = _ensure_owner(repo, thread_id=thread_id, user_id=user_id)
    if not exists:
        return 0
    with failure_prefix("Failed to delete thread"):
        return repo.delete_thread(thread_id)


def utf16_prefix(text: str, units: int) -> str:
    """The first `units` UTF-16 code units, as JavaScript's `substring(0, units)` (a split pair is dropped)."""
    return text.encode("utf-16-le")[: units * 2].decode("utf-16-le", errors="ignore")


def summarize_threads(messages: list[ChatMessage]) -> list[ThreadSummary]:
    """Group messages by thread: title from the earliest user message, newest thread first."""
    threads: dict[str, list[ChatMessage]] = {}
    for message in messages:
        threads.setdefault(message.thread_id, []).append(message)
    summaries = []
    for thread_id, items in threads.items():
        items.sort(key=lambda m: m.timestamp)
        first = next((m for m in items if m.is_user), items[0])
        summaries.append(
            ThreadSummary(
                thread_id=thread_id,
                last_timestamp=items[-1].timestamp,
                title=utf16_prefix(first.message, TITLE_UTF16_UNITS) or DEFAULT_TITLE,
                message_count=len(items),
            )
        )
    summaries.sort(key=lambda s: s.last_timestamp, reverse=True)
    return summaries


def chat_threads_list(*, user_id: str, repo: ChatHistoryRepository | None = None) -> list[ThreadSummary]:
    """The caller's threads, most recently active first (every page of the `UserIdIndex` query)."""
    repo = repo or ChatHistoryRepository()
    with failure_prefix("Failed to fetch threads"):
        page = repo.user_messages(user_id)
    return summarize_threads(page.items)
