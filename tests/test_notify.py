"""`p2p notify`: Slack and Teams payloads, posted to a real HTTP server on loopback."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from conftest import scores


@pytest.fixture
def webhook():
    """A local incoming-webhook: records each POST body; answers with `status`."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        status = 200

        def do_POST(self):  # noqa: N802 - the http.server API
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(Handler.status)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received, Handler
    server.shutdown()


@pytest.fixture
def rated(p2p):
    p2p("people", "add", "zed", "--name", "Zed <!channel>".replace("<", "").replace(">", "") + " &co",
        "--email", "zed@example.com", "--role", "ae", "--team", "east")
    for rep in ("ava", "zed"):
        p2p("submit", "pitch", "--link", f"https://v.example/{rep}", as_=rep)
    for rater, target, value in [("ben", "ava", 4), ("cal", "ava", 5), ("dia", "ava", 3),
                                 ("ben", "zed", 2), ("cal", "zed", 3), ("dia", "zed", 2)]:
        p2p("rate", "pitch", target, *scores(value), as_=rater)
    return p2p


def test_slack_payload_is_block_kit_with_the_top_of_the_leaderboard(rated):
    payload = json.loads(rated("notify", "pitch", "--format", "slack").stdout)
    assert payload["blocks"][0]["type"] == "header" and "Pitch" in payload["blocks"][0]["text"]["text"]
    text = payload["blocks"][1]["text"]["text"]
    assert text.splitlines() == ["1. Ava — 4", "2. Zed !channel &amp;co — 2"]


def test_teams_payload_is_an_adaptive_card_announcing_a_challenge(rated):
    payload = json.loads(rated("notify", "pitch", "--announce", "--format", "teams").stdout)
    card = payload["attachments"][0]["content"]
    assert payload["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["type"] == "AdaptiveCard" and card["body"][0]["text"] == "New challenge: Pitch"
    assert any("p2p submit pitch" in block["text"] for block in card["body"])


def test_post_sends_the_payload_to_the_webhook(rated, webhook):
    url, received, _ = webhook
    assert "posted to the webhook (200)" in rated("notify", "--format", "slack", "--post", url).stdout
    assert received and received[0]["blocks"][1]["text"]["text"].startswith("1. ")


def test_a_failing_or_unreachable_webhook_is_one_clear_error(rated, webhook):
    url, _, handler = webhook
    handler.status = 500
    assert "answered 500" in rated("notify", "pitch", "--format", "slack", "--post", url, expect=1).stderr
    assert "could not reach" in rated("notify", "pitch", "--format", "slack", "--post", "http://127.0.0.1:9/x",
                                      expect=1).stderr
    assert "http:// or https://" in rated("notify", "pitch", "--format", "slack", "--post", "file:///etc/passwd",
                                          expect=1).stderr
