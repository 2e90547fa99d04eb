"""cost_record pricing and the /api/customer-costs daily, monthly and yearly reports."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.models import CostEntry
from billing.services import cost_record
from customers.models import ModelPurpose
from tests.billing.factories import CostEntryFactory
from tests.conftest import assert_problem
from tests.customers.factories import AIModelFactory

pytestmark = pytest.mark.django_db


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_cost_record_prices_from_the_catalogue(customer):
    AIModelFactory(
        customer=None,
        model_name="gpt-4o-mini",
        model_type=ModelPurpose.EMAIL,
        input_price_per_million=Decimal("0.15"),
        output_price_per_million=Decimal("0.60"),
    )
    entry = cost_record(
        customer_id=customer.pk,
        provider="OpenAI",
        model="gpt-4o-mini",
        purpose="email",
        input_tokens=2_000_000,
        output_tokens=500_000,
        message_id=42,
    )
    assert entry.amount == Decimal("0.600000")  # 2 x 0.15 + 0.5 x 0.60
    assert entry.ai_model.model_name == "gpt-4o-mini" and entry.message_id == 42


def test_cost_record_prefers_the_customers_own_model_and_prices_audio_per_minute(customer, other_customer):
    AIModelFactory(customer=None, model_name="whisper-1", price_per_minute=Decimal("0.006"))
    own = AIModelFactory(customer=customer, model_name="whisper-1", price_per_minute=Decimal("0.012"))
    AIModelFactory(customer=other_customer, model_name="whisper-1", price_per_minute=Decimal("1"))
    entry = cost_record(customer_id=customer.pk, provider="OpenAI", model="whisper-1", purpose="transcribe", seconds=90)
    assert entry.ai_model == own and entry.amount == Decimal("0.018000")


def test_cost_record_with_explicit_amount_or_unknown_model(customer):
    twilio = cost_record(customer_id=customer.pk, provider="Twilio", model="", purpose="call", amount=Decimal("0.42"))
    assert twilio.amount == Decimal("0.42") and twilio.ai_model is None
    unknown = cost_record(customer_id=customer.pk, provider="OpenAI", model="gpt-99", purpose="email", input_tokens=9)
    assert unknown.amount == 0 and unknown.model_name == "gpt-99"
    model = AIModelFactory(customer=customer, input_price_per_million=Decimal("500000"))
    priced = cost_record(customer_id=customer.pk, provider="Local", model=model, purpose="x", input_tokens=3)
    assert priced.amount == Decimal("1.5")


def test_cost_record_rejects_bad_input(customer):
    with pytest.raises(ValueError, match="provider"):
        cost_record(customer_id=customer.pk, provider="Acme", model="x", purpose="email")
    with pytest.raises(ValueError, match="negative"):
        cost_record(customer_id=customer.pk, provider="OpenAI", model="x", purpose="email", input_tokens=-1)
    assert not CostEntry.objects.exists()


@pytest.fixture
def ledger(customer, other_customer):
    CostEntryFactory(customer=customer, provider="OpenAI", amount=Decimal("1.25"), occurred_at=at(2026, 3, 2, 0, 0))
    CostEntryFactory(customer=customer, provider="OpenAI", amount=Decimal("0.75"), occurred_at=at(2026, 3, 2, 23, 59))
    CostEntryFactory(customer=customer, provider="Twilio", amount=Decimal("2.000001"), occurred_at=at(2026, 3, 3, 12))
    CostEntryFactory(customer=customer, provider="Google", amount=Decimal("0.5"), occurred_at=at(2026, 4, 1, 0, 0))
    CostEntryFactory(customer=customer, provider="Microsoft", amount=Decimal("0.1"), occurred_at=at(2025, 12, 31, 23))
    CostEntryFactory(customer=other_customer, provider="OpenAI", amount=Decimal("100"), occurred_at=at(2026, 3, 2, 9))


def test_daily_costs_are_summed_per_utc_day_and_zero_filled(admin_client, ledger, django_assert_num_queries):
    with django_assert_num_queries(2):  # token check, one aggregate
        response = admin_client.get("/api/customer-costs/daily", {"from": "2026-03-01", "to": "2026-03-04"})
    assert response.status_code == 200
    assert response.json() == [
        {"date": "2026-03-01", "openAICost": 0.0, "twilioCost": 0.0, "googleCost": 0.0, "totalCost": 0.0},
        {"date": "2026-03-02", "openAICost": 2.0, "twilioCost": 0.0, "googleCost": 0.0, "totalCost": 2.0},
        {"date": "2026-03-03", "openAICost": 0.0, "twilioCost": 2.000001, "googleCost": 0.0, "totalCost": 2.000001},
        {"date": "2026-03-04", "openAICost": 0.0, "twilioCost": 0.0, "googleCost": 0.0, "totalCost": 0.0},
    ]


def test_monthly_costs_accept_start_and_end_date_aliases(admin_client, ledger):
    response = admin_client.get("/api/customer-costs/monthly", {"startDate": "2025-12-15", "endDate": "2026-04-30"})
    rows = response.json()
    assert [row["month"] for row in rows] == ["2025-12", "2026-01", "2026-02", "2026-03", "2026-04"]
    assert rows[0]["totalCost"] == 0.1 and rows[0]["openAICost"] == 0.0  # Microsoft counts only in the total
    assert rows[3] == {
        "month": "2026-03",
        "openAICost": 2.0,
        "twilioCost": 2.000001,
        "googleCost": 0.0,
        "totalCost": 4.000001,
    }
    assert rows[4]["googleCost"] == 0.5


def test_yearly_costs(admin_client, ledger):
    rows = admin_client.get("/api/customer-costs/yearly", {"from": "2024-06-01", "to": "2026-12-31"}).json()
    assert [row["year"] for row in rows] == [2024, 2025, 2026]
    assert rows[1]["totalCost"] == 0.1 and rows[2]["totalCost"] == 4.500001


def test_the_range_boundaries_are_inclusive_utc_days(admin_client, ledger):
    rows = admin_client.get("/api/customer-costs/daily", {"from": "2026-03-02", "to": "2026-03-02"}).json()
    assert rows == [{"date": "2026-03-02", "openAICost": 2.0, "twilioCost": 0.0, "googleCost": 0.0, "totalCost": 2.0}]
    rows = admin_client.get("/api/customer-costs/daily", {"from": "2026-03-02T00:00:00Z", "to": "2026-03-02"}).json()
    assert len(rows) == 1


def test_default_range_ends_today(admin_client, customer):
    CostEntryFactory(customer=customer, provider="OpenAI", amount=Decimal("3"))
    daily = admin_client.get("/api/customer-costs/daily").json()
    assert len(daily) == 30 and daily[-1]["date"] == timezone.now().date().isoformat()
    assert daily[-1]["openAICost"] == 3.0
    assert len(admin_client.get("/api/customer-costs/monthly").json()) == 12
    assert len(admin_client.get("/api/customer-costs/yearly").json()) == 5


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("daily", {"from": "2026-03-05", "to": "2026-03-01"}, "from"),
        ("daily", {"from": "yesterday"}, "from"),
        ("daily", {"to": "2026-02-30"}, "to"),
        ("daily", {"from": "2025-01-01", "to": "2026-01-02"}, "to"),
        ("monthly", {"from": "2010-01-01", "to": "2026-01-01"}, "to"),
        ("yearly", {"from": "1900-01-01", "to": "2026-01-01"}, "to"),
    ],
)
def test_bad_ranges_are_400(admin_client, customer, path, params, field):
    problem = assert_problem(admin_client.get(f"/api/customer-costs/{path}", params), 400, "ValidationFailed")
    assert field in problem["errors"]


def test_daily_allows_exactly_366_days(admin_client, customer):
    response = admin_client.get("/api/customer-costs/daily", {"from": "2024-01-01", "to": "2024-12-31"})
    assert response.status_code == 200 and len(response.json()) == 366


def test_cost_reports_need_view_reports(supervisor_client, rep_client, phone_client, anon_client, customer):
    for path in ("daily", "monthly", "yearly"):
        url = f"/api/customer-costs/{path}"
        assert supervisor_client.get(url).status_code == 200
        assert_problem(rep_client.get(url), 403, "Forbidden")
        assert_problem(phone_client.get(url), 403, "Forbidden")
        assert_problem(anon_client.get(url), 401)


def test_other_tenants_costs_never_show(other_admin_client, ledger):
    rows = other_admin_client.get("/api/customer-costs/yearly", {"from": "2025-01-01", "to": "2026-12-31"}).json()
    assert [row["totalCost"] for row in rows] == [0.0, 100.0]
