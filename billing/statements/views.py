"""Staff endpoints for statements: an account's statements, and one statement in full."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from billing.accounts import services as accounts
from billing.apikeys.models import Role
from billing.statements import services
from billing.web import requires, session

bp = Blueprint("statements", __name__)


@bp.get("/v1/accounts/<int:account_id>/statements")
@requires(Role.STAFF)
def list_statements(account_id: int) -> Response:
    account = accounts.get_account(session(), account_id)
    return jsonify({"account_id": account.id,
                    "statements": [services.statement_summary_json(s)
                                   for s in services.statements_of(session(), account.id)]})


@bp.get("/v1/statements/<number>")
@requires(Role.STAFF)
def get_statement(number: str) -> Response:
    return jsonify(services.statement_json(services.get_statement(session(), number)))
