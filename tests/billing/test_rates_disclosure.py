"""Public rate disclosure (47 CFR 64.6110): the page and its JSON twin, no login."""

from __future__ import annotations

from tests.support import Api


def test_the_rates_page_lists_every_facilitys_rates_without_a_login(api: Api) -> None:
    r = api.client.get("/rates")
    assert r.status_code == 200
    assert r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    for text in ("Illinois State Prison (demo)", "Illinois County Jail (demo)", "$0.009", "$0.11", "$0.07",
                 "$0.12", "Intrastate", "Interstate", "International"):
        assert text in page
    assert page.count('data-jurisdiction="international"') == 2


def test_rates_json_for_one_facility(api: Api) -> None:
    r = api.client.get("/v1/rates?facility=IL-JAIL-DEMO")
    assert r.status_code == 200
    body = r.json
    assert body["facility"] == "IL-JAIL-DEMO"
    assert body["fees"] == []
    by_jurisdiction = {rate["jurisdiction"]: rate["per_minute"] for rate in body["rates"]}
    assert by_jurisdiction == {"intrastate": "0.07", "interstate": "0.07", "international": "0.12"}
    assert all(rate["effective_from"] == "2026-04-06" for rate in body["rates"])


def test_rates_json_for_every_facility_and_unknown_one(api: Api) -> None:
    everything = api.client.get("/v1/rates").json
    assert [f["facility"] for f in everything["facilities"]] == ["IL-JAIL-DEMO", "IL-PRISON-DEMO"]
    r = api.client.get("/v1/rates?facility=NOPE")
    assert r.status_code == 404
    assert r.json["code"] == "UNKNOWN_FACILITY"


def test_an_ended_tariff_leaves_the_disclosure(api: Api) -> None:
    admin = api.as_("admin")
    tariffs = admin.get("/v1/facilities/IL-JAIL-DEMO/tariffs").json["tariffs"]
    international = next(t for t in tariffs if t["jurisdiction"] == "international")
    assert admin.patch(f"/v1/tariffs/{international['id']}", {"effective_to": "2026-05-01"}).status_code == 200
    rates = api.client.get("/v1/rates?facility=IL-JAIL-DEMO").json["rates"]
    assert {r["jurisdiction"] for r in rates} == {"intrastate", "interstate"}
