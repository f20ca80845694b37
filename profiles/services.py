"""Profile rules (reference §5.7 with CONTRACT §2.4: create never resets an existing profile)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from profiles.preferences import preferences_normalised
from profiles.records import Profile
from profiles.repositories import ProfileRepository
from vela.clock import now_iso
from vela.dynamodb import Transaction
from vela.errors import NotFoundError


def profile_get_or_create(*, user_id: str, repo: ProfileRepository | None = None) -> Profile:
    """The stored profile, or a default one created now (the original's auto-create on read).

    Its `preferences` are normalised (HEAD §8.3) in what is returned only; the stored item is not changed.
    """
    repo = repo or ProfileRepository()
    found = repo.get(user_id=user_id)
    if found is None:
        profile = Profile.new(user_id=user_id, email=None, username=None, avatar_url=None, now=now_iso())
        if repo.create_if_absent(profile):
            return profile
        # Someone created it between our read and write: theirs wins, never overwrite it.
        found = repo.get(user_id=user_id) or profile
    return replace(found, preferences=preferences_normalised(found.preferences))


def profile_get(*, user_id: str, repo: ProfileRepository | None = None) -> Profile:
    found = (repo or ProfileRepository()).get(user_id=user_id)
    if found is None:
        raise NotFoundError("User profile not found")
    return found


def profile_update(*, user_id: str, changes: dict[str, Any], repo: ProfileRepository | None = None) -> Profile:
    """SET the given fields plus `updated_at`; creates a partial profile when none exists (as the original).

    Validated `preferences` are normalised and replace the stored map (defaults filled, no merge: HEAD
    §8.3). The whole item is returned as stored (HEAD's ALL_NEW), so preferences this call did not send
    come back as they are stored.
    """
    if "preferences" in changes:
        changes = {**changes, "preferences": preferences_normalised(changes["preferences"])}
    return (repo or ProfileRepository()).upsert_fields(user_id=user_id, values={**changes, "updated_at": now_iso()})


def profile_create(
    *, user_id: str, email: str | None = None, username: str | None = None, repo: ProfileRepository | None = None
) -> bool:
    """Create the profile if absent (one conditional Put: concurrent first logins create exactly one).

    True when this call created it. An existing profile is never reset; as HEAD (§8.3) it only gains
    the sent `username` when it has none (a conditional update, so it cannot overwrite one either).
    """
    repo = repo or ProfileRepository()
    now = now_iso()
    profile = Profile.new(user_id=user_id, email=email or None, username=username or None, now=now)
    if repo.create_if_absent(profile):
        return True
    if username:
        repo.fill_username(user_id=user_id, username=username, at=now)
    return False


def profile_add_experience(
    *, user_id: str, amount: int | float, at: str, tx: Transaction | None = None, repo: ProfileRepository | None = None
) -> bool:
    """Atomic experience gain for the progress app; a missing profile is skipped (False).

    With `tx` the gain joins the caller's transaction, which a missing profile then cancels.
    """
    return (repo or ProfileRepository()).add_experience(user_id=user_id, amount=amount, at=at, tx=tx)
