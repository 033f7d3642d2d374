"""export confirmations: a parcel that cannot be written in the format asked for does not stop
the others; it is named on stderr, stays unconfirmed, and the exit status is 3."""

from __future__ import annotations

import json

from tests.core.test_marketplace_e2e import DATA, env, ship, unconfirmed  # noqa: F401  (env is a fixture)
from tests.core.test_station_cli import run


def test_an_order_from_the_report_has_no_marketplace_id_for_the_api(env, tmp_path):  # noqa: F811
    run("import", DATA / "amazon" / "unshipped_orders.txt", env=env)
    run("import", *sorted((DATA / "amazon").glob("get*.json")), env=env)
    from_report = ship("114-1000001-1000001", env)
    from_api = ship("111-0000001-0000001", env)
    assert unconfirmed(env) == {"amazon": 1 + len(from_api)}
    out = tmp_path / "amazon.jsonl"
    p = run("export", "confirmations", "--channel", "amazon", "--format", "api", "--out", out, env=env, check=False)
    assert p.returncode == 3, p.stderr.decode()
    err = p.stderr.decode()
    assert "114-1000001-1000001, parcel 1: its marketplace id is unknown" in err
    assert from_report[0] not in out.read_text()
    sent = [json.loads(line)["body"]["packageDetail"]["trackingNumber"] for line in out.read_text().splitlines()]
    assert sorted(sent) == sorted(from_api)
    assert unconfirmed(env) == {"amazon": 1}  # the report's parcel waits
    flat = tmp_path / "amazon.tsv"
    p = run("export", "confirmations", "--channel", "amazon", "--out", flat, env=env)  # the flat file can take it
    assert p.returncode == 0 and from_report[0] in flat.read_text() and unconfirmed(env) == {}
