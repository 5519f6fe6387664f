"""The API's validation errors (422) speak the request's language, like its other errors, in
the documented shape: message, field, errors."""

from __future__ import annotations

from django.test import Client

from guanxi.core.services import api_token_create


def client_in(user, language: str) -> Client:
    _, key = api_token_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE=language)


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_a_422_follows_the_request_language_as_a_404_does(cast):
    bad_query = "/api/transactions?min_amount=abc"
    missing = "/api/transactions/999999999"
    zh, en = client_in(cast.alice, "zh-hans"), client_in(cast.alice, "en")

    chinese = zh.get(bad_query)
    assert chinese.status_code == 422
    body = chinese.json()
    assert set(body) >= {"message", "field", "errors"} and body["field"] == "min_amount"
    assert has_chinese(body["message"]) and has_chinese(body["errors"][0]["message"])
    assert has_chinese(zh.get(missing).json()["message"])

    english = en.get(bad_query).json()
    assert english["field"] == "min_amount" and not has_chinese(english["message"])
    assert english["errors"][0]["message"] == "Enter a number."
    assert not has_chinese(en.get(missing).json()["message"])


def test_a_missing_field_in_a_body_is_named_in_the_request_language(cast):
    r = client_in(cast.alice, "zh-hans").post(
        "/api/transactions", {}, content_type="application/json"
    )
    assert r.status_code == 422
    assert r.json()["errors"] and all(has_chinese(e["message"]) for e in r.json()["errors"])
