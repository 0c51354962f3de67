"""The decision codes of ``POST /v1/calls`` and the sentence each one gives the IVR and the family."""

from __future__ import annotations

AUTHORIZED = "AUTHORIZED"

#: Checks run in this order; the first that fails names the decision.
ORDER = (
    "UNKNOWN_PERSON", "PHONE_RESTRICTED", "NOT_ON_APPROVED_LIST", "OUTSIDE_CALLING_SCHEDULE", "NUMBER_BLOCKED",
    "NO_ACCOUNT", "NON_PROVIDER_ACCOUNT", "PREPAID_REQUIRED", "ACCOUNT_SUSPENDED", "NO_TARIFF",
    "INSUFFICIENT_FUNDS", "CREDIT_LIMIT_REACHED",
)

MESSAGES = {
    AUTHORIZED: "The call may go through.",
    "UNKNOWN_PERSON": "No person with that id number is in custody at this facility.",
    "PHONE_RESTRICTED": "This person's telephone privileges are suspended.",
    "NOT_ON_APPROVED_LIST": "This number is not on the person's approved calling list; the person can ask "
    "the facility to add it.",
    "OUTSIDE_CALLING_SCHEDULE": "Calls are not allowed from this person's living unit at this time.",
    "NUMBER_BLOCKED": "Calls to this number are blocked.",
    "NO_ACCOUNT": "This number has no account with {provider}. To receive calls, set up a prepaid account "
    "with {provider} (a landline may also use direct billing).",
    "NON_PROVIDER_ACCOUNT": "This number's account is with another company ({other}). Only accounts with "
    "{provider} can receive these calls; please set one up with {provider}.",
    "PREPAID_REQUIRED": "Calls to a cell phone or internet phone need a prepaid account; this number is on a "
    "direct-bill account.",
    "ACCOUNT_SUSPENDED": "The account for this number is suspended. Please contact {provider}.",
    "NO_TARIFF": "No rate is published for a call from this facility to this number.",
    "INSUFFICIENT_FUNDS": "The prepaid balance does not cover the shortest call. Add funds to receive calls.",
    "CREDIT_LIMIT_REACHED": "The direct-bill account has reached its credit limit. Pay the balance due to "
    "receive calls.",
}


def message(code: str, **values: str) -> str:
    return MESSAGES[code].format(**values)
