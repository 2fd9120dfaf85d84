"""The PII scan on real tweets (airline support conversations hold e-mail addresses and phone
numbers), its checks against false alarms, and redaction at export with the manifest's approval word."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

from analysis.ingest.importer import import_dataset
from analysis.ingest.roles import RoleMapping
from analysis.pii import find_pii, iban_valid, luhn_valid, redact_text, scan_frame
from analysis.slices.export import ExportOptions, export_rows
from storage.approvals import record_approval
from storage.pii_scans import read_pii_scan
from storage.project import Project
from storage.tags import read_row_tags
from tests.conftest import DATA

TWEETS = DATA / "airline_tweets" / "Tweets.csv"


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("write to jo.smith@example.co.uk today", ["email"]),
        ("call +44 20 7946 0958 or (415) 555-2671", ["phone", "phone"]),
        ("card 4111 1111 1111 1111, thanks", ["card"]),
        ("card 4111 1111 1111 1112, thanks", []),  # fails the Luhn check
        ("IBAN GB82 WEST 1234 5698 7654 32", ["iban"]),
        ("IBAN GB83 WEST 1234 5698 7654 32", []),  # fails mod 97
        ("from 153.69.214.203 and fe80::1ff:fe23:4567:890a", ["ip", "ip"]),
        ("lol :: http://t.co/x at 10:30:15", []),
        ("2015-02-24 11:35:52 -0800 and [40.74804263, -73.99295302]", []),
        ("flight 1881 delayed since 130, order 1234567890123", []),
    ],
)
def test_patterns_and_their_checks(text: str, kinds: list[str]) -> None:
    assert [k for k, _, _ in find_pii(text)] == kinds


def test_checksums() -> None:
    assert luhn_valid("79927398713") and not luhn_valid("79927398710")
    assert iban_valid("DE89 3704 0044 0532 0130 00") and not iban_valid("DE88 3704 0044 0532 0130 00")
    assert redact_text("mail a@b.io or call 617-653-3040") == "mail [EMAIL] or call [PHONE]"


def test_the_tweets_emails_are_all_found() -> None:
    tweets = pl.read_csv(TWEETS)
    result = scan_frame(tweets)
    # independently: tweets with an address-shaped token (word@word.tld)
    simple = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)*\.[A-Za-z]{2,}")
    expected = sum(1 for t in tweets["text"].to_list() if simple.search(t))
    assert result.counts["text"]["email"] == expected
    # dates, times and coordinates are not phone numbers
    assert set(result.counts) == {"text", "tweet_location"}


def test_import_tags_pii_and_export_redacts_it(tmp_path: Path) -> None:
    tweets = pl.read_csv(TWEETS).head(3000)
    tweets.write_csv(tmp_path / "t.csv")
    with Project.create(tmp_path / "p.strata") as project:
        result = import_dataset(
            project, tmp_path / "t.csv", RoleMapping(text="text", label="airline_sentiment")
        )
        scan = read_pii_scan(project, result.version_id)
        tagged = read_row_tags(project, result.version_id).filter(pl.col("tag") == "pii")
        assert scan is not None and scan["rows"] == tagged.height > 0
        assert any("PII by pattern" in n for n in result.notes)
        out = tmp_path / "out.csv"
        manifest = export_rows(
            project, result.version_id, {"where": "tag_pii"}, out, ExportOptions(redact_pii=True)
        )
        assert manifest["approval"]["approved"] is False
        record_approval(project, result.version_id, "approve", "checked")
        approved = export_rows(
            project, result.version_id, {"where": "tag_pii"}, tmp_path / "o2.csv", ExportOptions()
        )
    written = pl.read_csv(out)
    assert written.height == tagged.height
    assert all(not find_pii(t) for t in written["text"].to_list())
    assert written["text"].str.contains(r"\[(EMAIL|PHONE|CARD|IP|IBAN)\]").sum() > 0
    assert approved["approval"]["approved"] is True and approved["approval"]["note"] == "checked"
    assert json.loads((tmp_path / "o2.csv.manifest.json").read_text())["approval"]["author"]
