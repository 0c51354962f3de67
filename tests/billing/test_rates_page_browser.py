"""The public rate disclosure page, as a family sees it in a browser."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import live_server

pytestmark = pytest.mark.browser


def test_a_family_reads_every_facilitys_rates_without_logging_in(app: Any, demo: Any, page: Any) -> None:
    with live_server(app) as base:
        page.goto(f"{base}/rates")
        assert page.title().startswith("Calling rates")
        prison = page.locator("section#IL-PRISON-DEMO")
        assert "Illinois State Prison (demo)" in prison.locator("h2").inner_text()
        rows = prison.locator("tbody tr")
        assert rows.count() == 3
        cells = [rows.nth(i).locator("td").all_inner_texts() for i in range(3)]
        assert [c[:2] for c in cells] == [["Intrastate", "$0.009"], ["Interstate", "$0.009"],
                                          ["International", "$0.11"]]
        jail = page.locator("section#IL-JAIL-DEMO tbody tr").first.locator("td").all_inner_texts()
        assert jail[:2] == ["Intrastate", "$0.07"]
        assert "No fees of any kind" in page.locator("footer").inner_text()


def test_the_page_reflects_a_rate_change_at_once(app: Any, api: Any, page: Any) -> None:
    admin = api.as_("admin")
    tariffs = admin.get("/v1/facilities/IL-JAIL-DEMO/tariffs").json["tariffs"]
    intrastate = next(t for t in tariffs if t["jurisdiction"] == "intrastate")
    assert admin.patch(f"/v1/tariffs/{intrastate['id']}", {"per_minute": "0.05"}).status_code == 200
    with live_server(app) as base:
        page.goto(f"{base}/rates")
        first = page.locator("section#IL-JAIL-DEMO tbody tr").first.locator("td").all_inner_texts()
        assert first[:2] == ["Intrastate", "$0.05"]
