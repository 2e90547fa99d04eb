"""Management commands: create_customer, seed_demo, import_representatives."""

from io import StringIO

import bcrypt
import pytest
from django.core.management import CommandError, call_command

from accounts.models import CustomerRep
from answerpal.api.policies import Role
from billing.models import CustomerSubscription, SubscriptionPlan
from channels_cfg.models import Channel
from customers.models import AIModel, Customer
from tests.customers.factories import CustomerFactory


def run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def api_login(client, username, password, hostname):
    body = {"username": username, "password": password, "hostname": hostname}
    return client.post("/api/Auth/login", body, format="json")


# --- create_customer ---------------------------------------------------------------------------

CREATE = [
    "create_customer",
    "--name",
    "Initech",
    "--hostname",
    "initech.answerpal.test",
    "--admin-username",
    "bill",
    "--admin-password",
    "Tps-report-2024",
    "--admin-email",
    "bill@initech.test",
]


@pytest.mark.django_db
def test_create_customer_creates_the_tenant_its_subscription_and_administrator(anon_client):
    output = run(*CREATE, "--plan", "starter")
    customer = Customer.objects.get(hostname="initech.answerpal.test")
    assert customer.name == "Initech"
    assert CustomerSubscription.objects.get(customer=customer).plan.code == "starter"
    admin = CustomerRep.objects.get(customer=customer)
    assert (admin.username, admin.email, admin.role, admin.is_active) == (
        "bill",
        "bill@initech.test",
        Role.ADMINISTRATOR,
        True,
    )
    assert "Created customer Initech" in output
    assert "/api/Auth/login  hostname=initech.answerpal.test  username=bill" in output
    assert api_login(anon_client, "bill", "Tps-report-2024", "initech.answerpal.test").status_code == 200


@pytest.mark.django_db
def test_create_customer_is_idempotent_on_hostname():
    run(*CREATE)
    output = run(*CREATE[:2], "Other name", *CREATE[3:6], "someone-else", *CREATE[7:])
    assert "already exists" in output and "nothing changed" in output
    assert "username=bill" in output
    assert Customer.objects.get().name == "Initech"
    assert list(CustomerRep.objects.values_list("username", flat=True)) == ["bill"]


@pytest.mark.django_db
def test_create_customer_refuses_a_weak_password_and_an_unknown_plan_without_leaving_rows():
    weak = [*CREATE[:8], "password", *CREATE[9:]]
    with pytest.raises(CommandError, match="password"):
        run(*weak)
    with pytest.raises(CommandError, match="no-such-plan"):
        run(*CREATE, "--plan", "no-such-plan")
    assert not Customer.objects.exists()
    assert not CustomerRep.objects.exists()


# --- seed_demo ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_demo_creates_a_usable_demo_and_is_idempotent(anon_client, django_assert_max_num_queries):
    output = run("seed_demo")
    assert SubscriptionPlan.objects.filter(code__in=["starter", "business", "enterprise"]).count() == 3
    assert AIModel.objects.filter(customer__isnull=True).exists()
    demo = Customer.objects.get(hostname="localhost")
    assert demo.name == "Demo Company"
    admin = CustomerRep.objects.get(customer=demo)
    assert (admin.username, admin.role) == ("demo", Role.ADMINISTRATOR)
    operator = CustomerRep.objects.get(customer__isnull=True)
    assert (operator.username, operator.is_staff, operator.is_superuser) == ("operator", True, True)
    assert "demo / demo-pass-123" in output and "operator / operator-pass-123" in output
    assert "curl -s -X POST http" in output and '"hostname": "localhost"' in output
    assert api_login(anon_client, "demo", "demo-pass-123", "localhost").status_code == 200
    channels = Channel.objects.filter(customer=demo)
    assert sorted(channels.values_list("channel_type", flat=True)) == ["Chat", "Email"]
    assert f"public token {channels.get(channel_type='Chat').token}" in output

    with django_assert_max_num_queries(45):
        again = run("seed_demo")
    assert "created" not in again and "unchanged" in again
    assert Customer.objects.count() == 1 and CustomerRep.objects.count() == 2
    assert Channel.objects.filter(customer=demo).count() == 2


@pytest.mark.django_db
def test_seed_demo_takes_passwords_from_the_environment(monkeypatch, anon_client):
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "Env-demo-pass-1")
    monkeypatch.setenv("DEMO_OPERATOR_PASSWORD", "Env-operator-pass-1")
    output = run("seed_demo")
    assert "demo / Env-demo-pass-1" in output
    assert CustomerRep.objects.get(username="operator").check_password("Env-operator-pass-1")
    assert api_login(anon_client, "demo", "Env-demo-pass-1", "localhost").status_code == 200


# --- import_representatives --------------------------------------------------------------------


def legacy_hash(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4, prefix=b"2a")).decode()


@pytest.fixture
def reps_csv(tmp_path, admin_rep):
    path = tmp_path / "reps.csv"
    rows = [
        "username,name,email,role,passwordHash",
        f"alice,Alice A,alice@acme.test,Supervisor,{legacy_hash('Alice-pass-1')}",
        f"bob,Bob B,bob@acme.test,,{legacy_hash('Bob-pass-1')}",
        f"ADMIN,Dup,dup@acme.test,Administrator,{legacy_hash('x')}",
        "carol,Carol,carol@acme.test,Boss,",
        "dave,Dave,not-an-email,Representative,",
        "erin,Erin,erin@acme.test,Representative,$1$notbcrypt",
        "frank,Frank,frank@acme.test,representative,",
    ]
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.mark.django_db
def test_import_is_a_dry_run_by_default(reps_csv, customer):
    output = run("import_representatives", "--customer", str(customer.pk), "--file", str(reps_csv))
    assert "Dry run" in output
    assert "Would import 3 active and 0 inactive representative(s); skipped 1 existing, 3 invalid row(s)." in output
    assert list(CustomerRep.objects.values_list("username", flat=True)) == ["admin"]


@pytest.mark.django_db
def test_import_commits_reps_whose_legacy_hash_signs_in(reps_csv, customer, anon_client):
    output = run("import_representatives", "--customer", str(customer.pk), "--file", str(reps_csv), "--commit")
    assert "Imported 3 active and 0 inactive" in output
    assert "line 5: carol invalid: role" in output and "line 7: erin invalid: passwordHash" in output
    alice = CustomerRep.objects.get(customer=customer, username="alice")
    assert (alice.role, alice.email, alice.password[:11]) == (Role.SUPERVISOR, "alice@acme.test", "bcrypt$$2a$")
    assert CustomerRep.objects.get(username="bob").role == Role.REPRESENTATIVE
    frank = CustomerRep.objects.get(username="frank")
    assert not frank.has_usable_password()
    assert api_login(anon_client, "alice", "Alice-pass-1", customer.hostname).status_code == 200
    # re-running skips what exists
    again = run("import_representatives", "--customer", str(customer.pk), "--file", str(reps_csv), "--commit")
    assert "Imported 0 active and 0 inactive representative(s); skipped 4 existing" in again


@pytest.mark.django_db
def test_import_beyond_the_user_limit_imports_inactive(reps_csv, customer, admin_rep):
    customer.subscription.override_max_users = 2
    customer.subscription.save()
    output = run("import_representatives", "--customer", str(customer.pk), "--file", str(reps_csv), "--commit")
    assert "Imported 1 active and 2 inactive" in output
    assert set(CustomerRep.objects.filter(is_active=False).values_list("username", flat=True)) == {"bob", "frank"}


@pytest.mark.django_db
def test_import_refuses_a_bad_file_or_customer(tmp_path, customer):
    bad = tmp_path / "bad.csv"
    bad.write_text("username,name\nx,y\n")
    with pytest.raises(CommandError, match="missing column"):
        run("import_representatives", "--customer", str(customer.pk), "--file", str(bad))
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_representatives", "--customer", str(customer.pk), "--file", str(tmp_path / "none.csv"))
    with pytest.raises(CommandError, match="No customer"):
        run("import_representatives", "--customer", "999999", "--file", str(bad))


@pytest.mark.django_db
def test_import_shows_progress_on_long_files(tmp_path, customer):
    path = tmp_path / "many.csv"
    lines = ["username,name,email,role,passwordHash"] + [f"user{n},U {n},u{n}@acme.test,," for n in range(150)]
    path.write_text("\n".join(lines) + "\n")
    output = run("import_representatives", "--customer", str(customer.pk), "--file", str(path))
    assert "… 100/150 rows" in output
    assert "Would import 10 active and 140 inactive" in output
    assert not CustomerRep.objects.exists()


@pytest.mark.django_db
def test_import_needs_a_subscription(reps_csv):
    bare = CustomerFactory(subscription=False)
    with pytest.raises(CommandError, match="SubscriptionRequired"):
        run("import_representatives", "--customer", str(bare.pk), "--file", str(reps_csv))
