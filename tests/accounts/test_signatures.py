"""CustomerReps/{id}/signatures: per-language signatures, own or (Administrators) any rep's."""

import pytest

from accounts.models import RepSignature
from tests.accounts.factories import RepSignatureFactory
from tests.conftest import assert_problem

SIGNATURE_FIELDS = {"customerRepSignatureID", "customerRepID", "lang", "emailSignatureHTML", "emailSignatureText"}


def url(rep, lang=None):
    return f"/api/CustomerReps/{rep.pk}/signatures" + (f"/{lang}" if lang else "")


def upsert(client, rep, lang="en", html="<p>Regards</p>", text="Regards"):
    return client.post(url(rep), {"lang": lang, "emailSignatureHTML": html, "emailSignatureText": text}, format="json")


def without_multilingual_signatures(customer):
    customer.subscription.feature_overrides = {"hasMultilingualSignatures": False}
    customer.subscription.save()


@pytest.mark.django_db
def test_rep_manages_its_own_signatures(rep_client, rep):
    created = upsert(rep_client, rep)
    assert created.status_code == 201, created.content
    body = created.json()
    assert set(body) == SIGNATURE_FIELDS
    assert (body["customerRepID"], body["lang"], body["emailSignatureText"]) == (rep.pk, "en", "Regards")

    updated = upsert(rep_client, rep, lang="EN", text="Best")
    assert updated.status_code == 200
    assert updated.json()["customerRepSignatureID"] == body["customerRepSignatureID"]
    assert RepSignature.objects.get(rep=rep).email_signature_text == "Best"

    listed = rep_client.get(url(rep))
    assert listed.status_code == 200 and [item["lang"] for item in listed.json()] == ["en"]
    one = rep_client.get(url(rep, "en"))
    assert one.status_code == 200 and one.json()["emailSignatureText"] == "Best"

    assert rep_client.delete(url(rep, "en")).status_code == 204
    assert not RepSignature.objects.filter(rep=rep).exists()
    assert_problem(rep_client.get(url(rep, "en")), 404, "NotFound")
    assert_problem(rep_client.delete(url(rep, "en")), 404, "NotFound")


@pytest.mark.django_db
def test_unknown_language_is_404(rep_client, rep):
    RepSignatureFactory(customer=rep.customer, rep=rep, lang="en")
    assert_problem(rep_client.get(url(rep, "fr")), 404, "NotFound")


@pytest.mark.django_db
def test_signature_list_pins_its_query_count(rep_client, rep, django_assert_num_queries):
    for lang in ("de", "en", "fr", "nl"):
        RepSignatureFactory(customer=rep.customer, rep=rep, lang=lang)
    with django_assert_num_queries(3):  # authentication, the rep, the signatures
        response = rep_client.get(url(rep))
    assert [item["lang"] for item in response.json()] == ["de", "en", "fr", "nl"]


@pytest.mark.django_db
def test_second_language_needs_the_multilingual_feature(rep_client, rep):
    without_multilingual_signatures(rep.customer)
    assert upsert(rep_client, rep, lang="en").status_code == 201
    assert upsert(rep_client, rep, lang="en", text="Still one language").status_code == 200
    assert_problem(upsert(rep_client, rep, lang="nl"), 403, "FeatureNotInPlan")
    assert list(RepSignature.objects.filter(rep=rep).values_list("lang", flat=True)) == ["en"]


@pytest.mark.django_db
def test_multilingual_plan_allows_many_languages(rep_client, rep):
    for lang in ("en", "nl", "fr"):
        assert upsert(rep_client, rep, lang=lang).status_code == 201
    assert RepSignature.objects.filter(rep=rep, customer=rep.customer).count() == 3


@pytest.mark.django_db
def test_admin_manages_any_reps_signatures(admin_client, rep):
    assert upsert(admin_client, rep, lang="de").status_code == 201
    assert admin_client.get(url(rep, "de")).status_code == 200
    assert admin_client.delete(url(rep, "de")).status_code == 204


@pytest.mark.django_db
def test_non_admins_cannot_touch_others_signatures(rep_client, supervisor_client, admin_rep, rep):
    RepSignatureFactory(customer=admin_rep.customer, rep=admin_rep, lang="en")
    for client in (rep_client, supervisor_client):
        assert_problem(client.get(url(admin_rep)), 403, "Forbidden")
        assert_problem(upsert(client, admin_rep, lang="en", text="hijack"), 403, "Forbidden")
        assert_problem(client.get(url(admin_rep, "en")), 403, "Forbidden")
        assert_problem(client.delete(url(admin_rep, "en")), 403, "Forbidden")
    assert RepSignature.objects.get(rep=admin_rep).email_signature_text == "Kind regards"


@pytest.mark.django_db
def test_signature_validation(rep_client, rep):
    body = assert_problem(rep_client.post(url(rep), {"emailSignatureText": "x"}, format="json"), 400)
    assert "lang" in body["errors"]
    assert "lang" in assert_problem(upsert(rep_client, rep, lang="   "), 400)["errors"]


@pytest.mark.django_db
def test_signatures_of_another_tenant_are_404_and_anonymous_is_401(
    admin_client, anon_client, phone_client, other_admin
):
    RepSignatureFactory(customer=other_admin.customer, rep=other_admin, lang="en")
    assert_problem(admin_client.get(url(other_admin)), 404, "NotFound")
    assert_problem(upsert(admin_client, other_admin), 404, "NotFound")
    assert_problem(admin_client.get(url(other_admin, "en")), 404, "NotFound")
    assert_problem(admin_client.delete(url(other_admin, "en")), 404, "NotFound")
    assert_problem(anon_client.get(url(other_admin)), 401)
    assert_problem(phone_client.get(url(other_admin)), 403, "Forbidden")
    assert RepSignature.objects.filter(rep=other_admin).count() == 1
