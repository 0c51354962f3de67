"""The baseline for bench/quote.py: a bare Flask endpoint returning a constant JSON body."""

from flask import Flask, jsonify

app = Flask(__name__)

BODY = {
    "facility": "IL-PRISON-DEMO", "to": "+13125550101", "jurisdiction": "intrastate", "currency": "USD",
    "per_minute": "0.009", "first_minute": "0.009", "billing_increment_seconds": 60, "minutes": 15,
    "charge": "0.14",
    "text": "This call costs nine tenths of a cent per minute; a fifteen-minute call costs fourteen cents.",
}


@app.get("/v1/quote")
def quote():  # type: ignore[no-untyped-def]
    return jsonify(BODY)
