"""Reconciliation: Stripe's payments and refunds beside the ledger; anything missing fails the command."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask

from billing.payments import reconcile
from billing.payments.wiring import gateway_for
from tests.billing.payments.conftest import FakeStripe
from tests.billing.payments.support import Accounts, new_key, settle

TODAY = dt.datetime.now(dt.UTC).date()


def deposit(api: Any, account_id: int, amount: str = "20.00") -> dict[str, Any]:
    r = api.as_("staff").post(f"/v1/accounts/{account_id}/deposits",
                              json={"amount": amount, "payment_method": "pm_card_visa", "idempotency_key": new_key()})
    assert r.status_code == 201
    return dict(r.json)


def run(app: Flask, start: dt.date = TODAY, end: dt.date = TODAY) -> Any:
    return app.test_cli_runner().invoke(args=["payments", "reconcile", "--from", start.isoformat(),
                                              "--to", end.isoformat()])


def test_everything_matched_exits_zero(api: Any, app: Flask, accts: Accounts, stripe_fake: FakeStripe) -> None:
    made = [deposit(api, accts.prepaid, a) for a in ("20.00", "30.00")]
    settle(app)
    api.as_("staff").post(f"/v1/accounts/{accts.prepaid}/close", json={})
    result = run(app)
    assert result.exit_code == 0, result.output
    assert "all matched" in result.output
    for row in made:
        assert row["payment_intent"] in result.output
    assert len(stripe_fake.get("/v1/refunds")["data"]) == 2  # 60.00: 30 + 20 to the cards, 10 by check
    assert result.output.count("refund  ") == 2


def test_a_stripe_payment_missing_from_the_ledger_is_reported(
        api: Any, app: Flask, accts: Accounts, stripe_fake: FakeStripe) -> None:
    made = deposit(api, accts.prepaid)  # Stripe took it; nobody confirmed it to us yet
    result = run(app)
    assert result.exit_code == 1
    assert f"{made['payment_intent']}" in result.output and "missing_in_ledger" in result.output
    settle(app)
    assert run(app).exit_code == 0


def test_a_ledger_credit_stripe_does_not_know_is_reported(api: Any, app: Flask, accts: Accounts,
                                                          stripe_fake: FakeStripe) -> None:
    deposit(api, accts.prepaid)
    settle(app)
    stripe_fake._call("DELETE", "/_config/data")  # Stripe's records gone: our credit has nothing beside it
    with app.extensions["billing.db"].sessions() as s:
        result = reconcile.reconcile(s, gateway_for(app), TODAY, TODAY)
    assert [(line.kind, line.status) for line in result.problems] == [("payment", "missing_in_stripe")]
    assert run(app).exit_code == 1


def test_other_days_are_out_of_range(api: Any, app: Flask, accts: Accounts) -> None:
    deposit(api, accts.prepaid)
    yesterday = TODAY - dt.timedelta(days=1)
    result = run(app, yesterday, yesterday)
    assert result.exit_code == 0 and "reconciled 0 item(s)" in result.output
    assert run(app, TODAY, yesterday).exit_code != 0
