"""Monthly statements: what a family receives for a month, made from the ledger.

A statement shows the account summary (opening balance, charges, payments, adjustments, closing
balance; for direct bill the amount due and the due date), then every call grouped by the number
called, each with the rate, increment and duration that priced it. Periods are calendar months in
the provider's time zone (America/Chicago by default). Journal rows are written at the ``books``
clock; the demo prison's rate is 0.009 a minute in 60-second increments.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

import invoices
from billing.statements.services import run_period
from invoices import Outcome, Period, Statement
from tests.billing.statements.conftest import Books, at


def test_a_direct_bill_statement_itemizes_each_call_and_says_what_is_due_and_when(books: Books) -> None:
    number, account = books.calls.approved_direct_bill()
    books.at("2026-11-10T18:00").call(number, 15)
    books.at("2026-11-20T18:00").call(number, 30)
    books.at("2026-11-25T18:00").pay(account["id"], "0.10")

    report = books.state("2026-11")

    statement = books.only_statement(account["id"], "2026-11")
    assert statement["number"] in report.issued
    assert {k: statement[k] for k in ("plan", "period_start", "period_end", "opening_balance", "charges",
                                      "payments", "adjustments", "closing_balance", "amount_due",
                                      "statement_date", "due_date")} == {
        "plan": "direct_bill", "period_start": "2026-11-01", "period_end": "2026-11-30",
        "opening_balance": "0.00", "charges": "0.41", "payments": "0.10", "adjustments": "0.00",
        "closing_balance": "0.31", "amount_due": "0.31", "statement_date": "2026-12-01", "due_date": "2026-12-21",
    }
    [group] = statement["calls_by_number"]
    assert (group["number"], group["count"], group["billable_seconds"], group["total"]) == (number, 2, 2700, "0.41")
    first, second = group["calls"]
    assert (first["billable_seconds"], first["per_minute"], first["increment_seconds"], first["charge"]) == (
        900, "0.009", 60, "0.14")
    assert second["charge"] == "0.27"
    assert first["how"] == ("900 s billed (60-second increments) at 0.009 USD a minute, rounded half_up to the "
                            "cent: 0.14")
    assert first["facility"] == "IL-PRISON-DEMO" and first["call_id"]
    [payment] = statement["payments_detail"]
    assert (payment["description"], payment["amount"], payment["effect"], payment["date"]) == (
        "Payment", "0.10", "-0.10", "2026-11-25")
    assert books.calls.account(number)["amount_due"] == statement["closing_balance"]
    assert statement["past_due"] is None
    documented = books.calls.api.client.get("/openapi.json").json["components"]["schemas"]["Statement"]
    assert set(documented["required"]) <= set(statement)


def test_running_a_month_again_issues_nothing_new_and_changes_no_statement(books: Books) -> None:
    number, account = books.calls.approved_direct_bill()
    books.at("2026-11-10T18:00").call(number, 15)
    first = books.state("2026-11")
    before = books.only_statement(account["id"], "2026-11")

    again = books.state("2026-11")

    assert again.issued == [] and again.counts[Outcome.EXISTS] == first.counts[Outcome.ISSUED]
    assert books.only_statement(account["id"], "2026-11") == before


def test_each_statement_opens_with_the_last_ones_closing_and_a_late_charge_is_never_lost(books: Books) -> None:
    number, account = books.calls.approved_direct_bill()
    books.at("2026-11-10T18:00").call(number, 15)
    books.state("2026-11")
    # A call whose charge was written in November, after November's statement was made (its
    # transaction began before midnight): it belongs on the next statement, not nowhere.
    books.at("2026-11-30T23:59").call(number, 10)
    books.at("2026-12-05T18:00").pay(account["id"], "0.14")

    books.state("2026-12")

    november = books.only_statement(account["id"], "2026-11")
    december = books.only_statement(account["id"], "2026-12")
    assert december["opening_balance"] == november["closing_balance"] == "0.14"
    [group] = december["calls_by_number"]
    assert [c["charge"] for c in group["calls"]] == ["0.09"]
    assert (december["payments"], december["closing_balance"]) == ("0.14", "0.09")
    assert books.calls.account(number)["amount_due"] == "0.09"


def test_a_prepaid_statement_shows_deposits_and_calls_and_asks_for_nothing(books: Books) -> None:
    number, account = books.calls.approved_prepaid(fund="0.00")
    books.at("2026-11-02T18:00").deposit(account["id"], "20.00")
    books.at("2026-11-10T18:00").call(number, 15)

    books.state("2026-11")

    statement = books.only_statement(account["id"], "2026-11")
    assert {k: statement[k] for k in ("plan", "opening_balance", "payments", "charges", "closing_balance",
                                      "amount_due", "due_date")} == {
        "plan": "prepaid", "opening_balance": "0.00", "payments": "20.00", "charges": "0.14",
        "closing_balance": "19.86", "amount_due": None, "due_date": None}
    assert [p["description"] for p in statement["payments_detail"]] == ["Deposit"]
    assert statement["calls_by_number"][0]["calls"][0]["effect"] == "-0.14"
    assert books.calls.account(number)["available_balance"] == "19.86"


def test_a_first_statement_brings_forward_the_balance_from_before_and_an_idle_empty_account_gets_none(
        books: Books) -> None:
    _, funded = books.calls.approved_prepaid(fund="0.00")
    _, empty = books.calls.approved_prepaid(fund="0.00")
    books.at("2026-10-15T18:00").deposit(funded["id"], "10.00")

    books.state("2026-11")

    statement = books.only_statement(funded["id"], "2026-11")
    assert (statement["opening_balance"], statement["closing_balance"]) == ("10.00", "10.00")
    assert statement["calls_by_number"] == [] and statement["payments_detail"] == []
    assert books.statements(empty["id"]) == []


def test_the_month_ends_at_midnight_in_the_providers_time_zone(books: Books) -> None:
    number, account = books.calls.approved_direct_bill()
    books.at("2026-12-01T05:59").call(number, 15)  # 23:59 on November 30 in Chicago
    books.at("2026-12-01T06:00").call(number, 30)  # 00:00 on December 1 in Chicago

    books.state("2026-11")

    statement = books.only_statement(account["id"], "2026-11")
    assert (statement["charges"], statement["calls_by_number"][0]["calls"][0]["date"]) == ("0.14", "2026-11-25")


def test_a_month_that_has_not_ended_cannot_be_stated(books: Books) -> None:
    with pytest.raises(invoices.PeriodNotOver):
        books.state("2026-11", now="2026-12-01T05:59")  # still November in Chicago


def test_an_earlier_month_is_not_stated_after_a_later_one(books: Books) -> None:
    number, account = books.calls.approved_direct_bill()
    books.at("2026-11-10T18:00").call(number, 15)
    books.state("2026-11")

    report = books.state("2026-10")

    assert report.counts[Outcome.LATER_EXISTS] >= 1
    assert [s["period"] for s in books.statements(account["id"])] == ["2026-11"]


def test_statements_are_for_staff_and_unknown_ones_are_a_clear_404(books: Books) -> None:
    number, account = books.calls.approved_direct_bill()
    books.at("2026-11-10T18:00").call(number, 15)
    books.state("2026-11")
    [summary] = books.statements(account["id"])

    assert books.calls.api.get(f"/v1/statements/{summary['number']}").status_code == 403  # the call platform
    assert books.calls.api.get(f"/v1/accounts/{account['id']}/statements").status_code == 403
    missing = books.calls.staff.get("/v1/statements/S-209901-000001")
    assert (missing.status_code, missing.json["code"]) == (404, "NOT_FOUND")
    assert books.calls.staff.get("/v1/accounts/999999/statements").json["code"] == "NOT_FOUND"


def test_the_statement_run_commands(books: Books, app: object) -> None:
    number, account = books.calls.approved_direct_bill()
    books.at("2026-10-10T18:00").call(number, 15)
    runner = app.test_cli_runner()  # type: ignore[attr-defined]

    result = runner.invoke(args=["statements", "run", "--period", "2026-10"])

    assert result.exit_code == 0, result.output
    assert "issued S-202610-" in result.output and "errors 0" in result.output
    [summary] = books.statements(account["id"])
    shown = runner.invoke(args=["statements", "show", summary["number"]])
    assert shown.exit_code == 0 and '"closing_balance": "0.14"' in shown.output
    assert runner.invoke(args=["statements", "run", "--period", "2999-01"]).exit_code == 2  # not over
    assert runner.invoke(args=["statements", "run", "--period", "October"]).exit_code == 2
    assert runner.invoke(args=["statements", "show", "S-nope"]).exit_code == 1


def test_one_statement_per_account_and_period_that_adds_up_is_enforced_by_the_database(books: Books) -> None:
    number, account = books.calls.approved_direct_bill()
    books.at("2026-11-10T18:00").call(number, 15)
    books.state("2026-11")
    with books.calls.db.sessions() as session:
        original = session.scalars(select(Statement).where(Statement.account_id == account["id"])).one()
        session.expunge(original)
    copy = {c.key: getattr(original, c.key) for c in Statement.__table__.columns if c.key not in ("id", "number")}
    with pytest.raises(Exception, match=r"(?i)unique"), books.calls.db.unit_of_work() as session:
        session.add(Statement(**copy, number="S-copy"))
    # Nor may a statement's summary fail to add up (opening + charges − payments + adjustments).
    wrong = {**copy, "period_start": copy["period_start"].replace(year=2001), "closing_balance": 1}
    with pytest.raises(Exception, match=r"(?i)check|summary_adds_up"), books.calls.db.unit_of_work() as session:
        session.add(Statement(**wrong, number="S-wrong"))
    with books.calls.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Statement)
                              .where(Statement.account_id == account["id"])) == 1


def test_the_scheduler_states_last_month(books: Books) -> None:
    from billing.scheduler import JOBS

    job = next(j for j in JOBS if j.name == "monthly-statements")
    assert job.trigger == "cron" and job.trigger_args["day"] == "1-7"
    number, account = books.calls.approved_direct_bill()
    books.at("2026-10-10T18:00").call(number, 15)
    # The job states the month before the current one (by the real clock, some month after October).
    summary = str(job.run(books.calls.db, books.settings))
    assert summary.startswith("statements for ") and summary.endswith("errors 0")
    again = run_period(books.calls.db, books.settings, Period(2026, 10), now=at("2026-11-02T00:00"))
    assert again.errors == [] and [s["period"] for s in books.statements(account["id"])] == ["2026-10"]


def test_a_charge_that_is_not_what_the_rate_gives_says_why(books: Books) -> None:
    from billing.calls import services as call_services

    calls = books.calls
    number, account = calls.approved_prepaid(fund="0.00")
    books.at("2026-11-02T18:00").deposit(account["id"], "0.10")
    books.at("2026-11-25T15:00")
    late = calls.authorize(number)["call_id"]
    calls.accept(late, "2026-11-25T15:00:00Z")
    with calls.db.unit_of_work() as session:  # the platform never reported the end: the hold lapses
        call_services.expire_abandoned(session, now=at("2026-11-26T15:00"))
    books.call(number, 10)  # 0.09 of the 0.10 spent by another call meanwhile
    assert calls.complete(late, "2026-11-25T15:11:00Z")["charge"] == "0.01"  # rated 0.10; 0.09 forgiven

    books.state("2026-11")

    [group] = books.only_statement(account["id"], "2026-11")["calls_by_number"]
    forgiven = next(c for c in group["calls"] if c["call_id"] == late)
    assert forgiven["charge"] == "0.01" and "0.09 could not be collected and was forgiven" in forgiven["note"]
    assert forgiven["how"].endswith("was forgiven: charged 0.01")


def test_a_hold_released_by_posting_nothing_moves_nothing_and_does_not_stop_the_statement(books: Books) -> None:
    from moneyed import Money

    import ledgers
    from billing.accounts.services import ledger_code

    _, account = books.calls.approved_prepaid(fund="0.00")
    books.at("2026-11-02T18:00").deposit(account["id"], "5.00")
    with books.calls.db.unit_of_work() as session:
        ledger_id = ledgers.get_account(session, ledger_code(account["id"], "prepaid")).id
        revenue = ledgers.house_account(session, "call_revenue").id
        held = ledgers.hold(session, debit=ledger_id, credit=revenue, amount=Money("1.00", "USD"),
                            idempotency_key="zero:hold", purpose="call_charge")
        ledgers.post(session, held, amount=Money("0.00", "USD"), idempotency_key="zero:post")

    report = books.state("2026-11")

    assert report.errors == []
    statement = books.only_statement(account["id"], "2026-11")
    assert (statement["charges"], statement["closing_balance"], statement["calls_by_number"]) == ("0.00", "5.00", [])


def test_a_month_a_missed_run_left_out_is_stated_first_in_order(books: Books) -> None:
    number, account = books.calls.approved_direct_bill()
    books.at("2026-09-10T18:00").call(number, 15)
    books.state("2026-09")
    books.at("2026-10-10T18:00").call(number, 30)  # October's run never happened
    books.at("2026-11-10T18:00").call(number, 10)

    report = books.state("2026-11")

    assert report.errors == [] and sorted(n[:8] for n in report.issued if n.endswith(f"{account['id']:06d}")) == [
        "S-202610", "S-202611"]
    october, november = books.only_statement(account["id"], "2026-10"), books.only_statement(account["id"], "2026-11")
    assert (october["opening_balance"], october["charges"], october["closing_balance"]) == ("0.14", "0.27", "0.41")
    assert (november["opening_balance"], november["charges"], november["closing_balance"]) == ("0.41", "0.09", "0.50")


def test_an_accounts_first_statements_start_with_its_first_month_of_activity(books: Books) -> None:
    number, account = books.calls.approved_direct_bill()
    books.at("2026-10-10T18:00").call(number, 15)  # opened and used in October; October's run was missed
    books.at("2026-11-10T18:00").call(number, 30)

    books.state("2026-11")

    october, november = books.only_statement(account["id"], "2026-10"), books.only_statement(account["id"], "2026-11")
    assert (october["opening_balance"], october["charges"]) == ("0.00", "0.14")
    assert (november["opening_balance"], november["charges"], november["closing_balance"]) == ("0.14", "0.27", "0.41")


def test_a_statement_issued_late_is_dated_the_day_it_is_issued_and_gives_the_full_term(books: Books) -> None:
    number, account = books.calls.approved_direct_bill()
    books.at("2026-11-10T18:00").call(number, 15)

    books.state("2026-11", now="2026-12-28T15:00")  # the run was down most of December

    statement = books.only_statement(account["id"], "2026-11")
    assert (statement["statement_date"], statement["due_date"]) == ("2026-12-28", "2027-01-17")


def test_the_issued_statement_carries_its_lines(books: Books) -> None:
    import invoices
    from billing.accounts.models import CalledPartyAccount
    from billing.statements.services import call_details, terms

    number, account = books.calls.approved_direct_bill()
    books.at("2026-11-10T18:00").call(number, 15)
    with books.calls.db.unit_of_work() as session:
        held = session.get_one(CalledPartyAccount, account["id"])
        assert held.ledger_account_id is not None
        who = invoices.StatementAccount(held.id, held.ledger_account_id, held.plan, held.currency, held.holder_name)
        outcome, statement = invoices.issue(session, who, Period(2026, 11), terms=terms(books.settings),
                                            details=call_details, now=at("2026-12-01T09:15"))
        assert outcome is Outcome.ISSUED and statement is not None
        assert [(line.kind, line.amount, line.number) for line in statement.lines] == [("call", 14, number)]
