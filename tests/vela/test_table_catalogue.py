"""One source for table names: settings, provisioning and the IAM policy read vela/dynamodb_schema.py."""

from __future__ import annotations

from django.conf import settings

from vela.dynamodb_schema import SPECS, TABLES, table_names_from_env


def test_settings_tables_are_the_catalogue_read_from_the_environment():
    import os

    assert settings.DYNAMODB_TABLES == table_names_from_env(os.environ)
    assert set(settings.DYNAMODB_TABLES) == {spec.logical for spec in TABLES}


def test_defaults_and_original_names():
    assert table_names_from_env({})["chat_history"] == "vela-chat-history"
    assert table_names_from_env({"DDB_TABLE": "old-chat"})["chat_history"] == "old-chat"
    assert table_names_from_env({"DDB_TABLE": "old", "DYNAMODB_TABLE_NAME": "new"})["chat_history"] == "new"
    # The original API read MY_DICTIONARIES_TABLE_NAME first; so do we.
    both = {"MY_DICTIONARIES_TABLE_NAME": "old-dict", "SAVED_SENTENCES_TABLE_NAME": "new-dict"}
    assert table_names_from_env(both)["saved_sentences"] == "old-dict"
    assert table_names_from_env({"PROFILES_TABLE_NAME": "  "})["profiles"] == "vela-profiles"  # blank = default


def test_provisioning_names_tables_as_the_app_would_with_the_stage_environment():
    from deploy.provision import StageContext

    context = StageContext.__new__(StageContext)
    context.config = {"environment_variables": {"DDB_TABLE": "legacy-chat", "PROFILES_TABLE_NAME": "p-dev"}}

    names = context.table_names()

    assert names["chat_history"] == "legacy-chat"  # provisioning used to ignore the original's names
    assert names["profiles"] == "p-dev"
    assert names["vocabulary"] == SPECS["vocabulary"].default_name
