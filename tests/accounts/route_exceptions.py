"""Routes of the accounts app the generic walker treats specially (see tests/answerpal/test_route_walker.py)."""

ANONYMOUS_ALLOWED = {
    ("post", "/api/CustomerReps"): "first-user bootstrap (tests/accounts/test_customer_reps.py::test_bootstrap_*)",
}
PARAM_SAMPLES = {"lang": "en"}
