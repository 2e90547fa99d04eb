import pytest

from channels_cfg.models import ChannelTranslation, ChannelType
from tests.channels_cfg.factories import ChannelFactory, ChannelTranslationFactory
from tests.conftest import assert_problem

pytestmark = pytest.mark.django_db


def test_crud_and_single_default(admin_client, customer):
    channel = ChannelFactory(customer=customer, channel_type=ChannelType.CHAT)
    first = admin_client.post(
        "/api/ChannelTranslations",
        {"channelID": channel.pk, "lang": "en", "isDefault": True, "translations": {"welcome": "Hi"}},
        format="json",
    )
    assert first.status_code == 201, first.content
    second = admin_client.post(
        "/api/ChannelTranslations",
        {"channelID": channel.pk, "lang": "nl_BE", "isDefault": True, "translations": {"welcome": "Dag"}},
        format="json",
    )
    assert second.status_code == 201 and second.json()["lang"] == "nl-BE"
    defaults = ChannelTranslation.objects.filter(channel=channel, is_default=True).values_list("lang", flat=True)
    assert list(defaults) == ["nl-BE"]
    translation_id = first.json()["channelTranslationID"]
    updated = admin_client.put(
        f"/api/ChannelTranslations/{translation_id}",
        {"channelID": channel.pk, "lang": "en", "translations": {"welcome": "Hello"}},
        format="json",
    )
    assert updated.json()["translations"] == {"welcome": "Hello"}
    assert admin_client.get(f"/api/ChannelTranslations/{translation_id}").status_code == 200
    assert admin_client.delete(f"/api/ChannelTranslations/{translation_id}").status_code == 204


def test_duplicate_language_is_409(admin_client, customer):
    translation = ChannelTranslationFactory(customer=customer, lang="fr")
    response = admin_client.post(
        "/api/ChannelTranslations",
        {"channelID": translation.channel_id, "lang": "fr", "translations": {}},
        format="json",
    )
    assert_problem(response, 409, "DuplicateChannelTranslation")


@pytest.mark.parametrize(
    "body", [{"lang": "english!", "translations": {}}, {"lang": "en", "translations": "text"}, {"lang": "en"}]
)
def test_validation(admin_client, customer, body):
    channel = ChannelFactory(customer=customer)
    response = admin_client.post("/api/ChannelTranslations", {"channelID": channel.pk, **body}, format="json")
    assert_problem(response, 400, "ValidationFailed")


def test_by_channel(rep_client, customer, django_assert_num_queries):
    channel = ChannelFactory(customer=customer)
    for lang in ("en", "nl", "fr"):
        ChannelTranslationFactory(customer=customer, channel=channel, lang=lang)
    with django_assert_num_queries(3):
        response = rep_client.get(f"/api/ChannelTranslations/byChannel/{channel.pk}")
    assert [row["lang"] for row in response.json()] == ["en", "fr", "nl"]


def test_by_channel_other_tenant_is_404(other_admin_client, customer):
    translation = ChannelTranslationFactory(customer=customer)
    assert_problem(other_admin_client.get(f"/api/ChannelTranslations/byChannel/{translation.channel_id}"), 404)
    assert_problem(other_admin_client.put(f"/api/ChannelTranslations/{translation.pk}", {}, format="json"), 404)


def test_auth(rep_client, anon_client, customer):
    translation = ChannelTranslationFactory(customer=customer)
    assert_problem(rep_client.delete(f"/api/ChannelTranslations/{translation.pk}"), 403)
    assert_problem(anon_client.get(f"/api/ChannelTranslations/{translation.pk}"), 401)


class TestTranslationsByToken:
    def _url(self, channel, lang):
        return f"/api/Channels/{channel.token}/translations-by-token/{lang}"

    def test_fallback_chain(self, anon_client, customer):
        channel = ChannelFactory(customer=customer, channel_type=ChannelType.CHAT)
        for lang, is_default in (("nl", False), ("fr-BE", False), ("de", True)):
            ChannelTranslationFactory(customer=customer, channel=channel, lang=lang, is_default=is_default)
        cases = {"fr-BE": "fr-BE", "nl-BE": "nl", "fr": "fr-BE", "ja": "de", "NL": "nl"}
        for requested, served in cases.items():
            response = anon_client.get(self._url(channel, requested))
            assert response.status_code == 200, requested
            assert response.json()["lang"] == served, requested
            assert response.json()["requestedLang"] == requested

    def test_any_when_no_default(self, anon_client, customer):
        channel = ChannelFactory(customer=customer, channel_type=ChannelType.CHAT)
        ChannelTranslationFactory(customer=customer, channel=channel, lang="it")
        assert anon_client.get(self._url(channel, "en")).json()["lang"] == "it"

    def test_channel_without_texts_borrows_default_translation_channel(self, anon_client, customer):
        source = ChannelFactory(customer=customer, is_default_translation_channel=True)
        ChannelTranslationFactory(customer=customer, channel=source, lang="en", translations={"welcome": "Hi"})
        channel = ChannelFactory(customer=customer, channel_type=ChannelType.CHAT)
        assert anon_client.get(self._url(channel, "en")).json()["translations"] == {"welcome": "Hi"}

    def test_unknown_or_deleted_token_is_404(self, anon_client, customer):
        channel = ChannelFactory(customer=customer, deleted_at="2026-01-01T00:00:00Z")
        ChannelTranslationFactory(customer=customer, channel=channel)
        assert_problem(anon_client.get(self._url(channel, "en")), 404, "NotFound")
        response = anon_client.get("/api/Channels/00000000-0000-0000-0000-000000000000/translations-by-token/en")
        assert_problem(response, 404, "NotFound")

    def test_malformed_token_is_404(self, anon_client):
        assert anon_client.get("/api/Channels/not-a-uuid/translations-by-token/en").status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lang": "english!"}, "lang"),
        ({"translations": "text"}, "translations"),
        ({"translations": {"welcome": "x" * 4001}}, "translations"),
        ({"isDefault": "maybe"}, "isDefault"),
    ],
)
def test_put_validation_changes_nothing(admin_client, customer, change, field):
    translation = ChannelTranslationFactory(customer=customer, lang="en", translations={"welcome": "Hi"})
    body = {"channelID": translation.channel_id, "lang": "en", "translations": {"welcome": "Hello"}, **change}
    response = admin_client.put(f"/api/ChannelTranslations/{translation.pk}", body, format="json")
    assert field in assert_problem(response, 400, "ValidationFailed")["errors"]
    stored = ChannelTranslation.objects.get(pk=translation.pk)
    assert (stored.lang, stored.translations, stored.is_default) == ("en", {"welcome": "Hi"}, translation.is_default)
