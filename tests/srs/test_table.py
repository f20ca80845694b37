"""The progress table in the catalogue: `manage.py dynamodb_tables`, the function policy, the demo seed."""

import os
import subprocess
import sys
from io import StringIO

from django.core.management import call_command

from deploy.policy import table_resources
from tests.dynamo_helpers import scan
from vela.dynamodb_schema import SPECS


def test_dynamodb_tables_create_makes_the_progress_table_and_its_index(moto_server, settings):
    from vela.aws import dynamodb_client

    call_command("dynamodb_tables", "create", "--table", "user_vocabulary_progress", stdout=StringIO())

    table = dynamodb_client().describe_table(TableName="vela-user-vocabulary-progress")["Table"]
    assert table["KeySchema"] == [
        {"AttributeName": "user_id", "KeyType": "HASH"},
        {"AttributeName": "vocabulary_id", "KeyType": "RANGE"},
    ]
    (index,) = table["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "NextReviewDateIndex"
    assert index["KeySchema"] == [
        {"AttributeName": "user_id", "KeyType": "HASH"},
        {"AttributeName": "next_review_date", "KeyType": "RANGE"},
    ]
    assert index["Projection"] == {"ProjectionType": "ALL"}
    assert SPECS["user_vocabulary_progress"].setting == "USER_VOCABULARY_PROGRESS_TABLE_NAME"


def test_table_name_comes_from_the_setting():
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(settings.DYNAMODB_TABLES['user_vocabulary_progress'])"
    env = {"DJANGO_SETTINGS_MODULE": "vela.settings", "USER_VOCABULARY_PROGRESS_TABLE_NAME": "custom-progress"}
    out = subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True, check=True
    )

    assert out.stdout.strip() == "custom-progress"


def test_function_policy_covers_the_table_and_its_index():
    names = {spec.logical: spec.default_name for spec in SPECS.values()}

    resources = table_resources("us-east-1", "123456789012", names)

    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/vela-user-vocabulary-progress"
    assert arn in resources
    assert f"{arn}/index/NextReviewDateIndex" in resources


def test_demo_seed_gives_the_user_due_and_later_words_once(dynamodb_http, settings, client, auth_header):
    call_command("seed_demo_data", stdout=StringIO())
    out = StringIO()

    call_command("seed_srs_progress", "--user", "demo-sub", stdout=out)
    call_command("seed_srs_progress", "--user", "demo-sub", stdout=StringIO())

    assert "12 new row(s)" in out.getvalue()
    assert len(scan(dynamodb_http, "user_vocabulary_progress")) == 12
    due = client.get("/api/srs/due", headers=auth_header("demo-sub")).json()
    assert 0 < due["total"] < 12
    assert all(item["vocabulary"] is not None for item in due["items"])
    stats = client.get("/api/srs/stats", headers=auth_header("demo-sub")).json()
    assert stats["total_items"] == 12
    assert stats["total_reviews"] > 0
