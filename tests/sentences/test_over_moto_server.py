"""Every saved-sentence route end to end against a moto server over real HTTP (not mock_aws)."""

from __future__ import annotations

from tests.sentences.conftest import ALICE, BOB, URL


def test_save_list_delete_over_http(client, dynamodb_http, as_user):
    saved = client.post(
        URL, {"sentence": "雨が降っています。", "context": {"n": 1.5}}, format="json", headers=as_user(ALICE)
    )
    other = client.post(URL, {"sentence": "晴れです。"}, format="json", headers=as_user(BOB))
    sentence_id = saved.json()["data"]["sentence_id"]

    listed = client.get(URL, {"limit": 10}, headers=as_user(ALICE)).json()
    deleted = client.delete(f"{URL}/{sentence_id}", headers=as_user(ALICE))
    after = client.get(URL, headers=as_user(ALICE)).json()

    assert (saved.status_code, other.status_code) == (200, 200)
    assert listed == {"success": True, "data": [saved.json()["data"]]}
    assert listed["data"][0]["context"] == {"n": 1.5}
    assert deleted.json() == {"success": True, "message": "Sentence deleted successfully"}
    assert after == {"success": True, "data": []}
    assert len(client.get(URL, headers=as_user(BOB)).json()["data"]) == 1
