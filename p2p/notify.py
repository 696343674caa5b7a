"""Chat notifications: a leaderboard or a challenge announcement as a Slack Block Kit
or Microsoft Teams Adaptive Card payload, and posting it to an incoming webhook.
Building payloads is pure; `post` is the only network call in p2p."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from p2p.errors import InvalidInput, P2PError

TOP = 5


def slack_text(text: object) -> str:
    """Slack mrkdwn: & < > escaped, so no <!channel>, <@user> or link can be injected."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def leaderboard_lines(doc: dict[str, Any]) -> list[str]:
    rows = [r for r in doc["rows"] if r.get("rank") is not None][:TOP]
    value = "points" if "points" in (rows[0] if rows else {}) else "score"
    return [f"{r['rank']}. {r['name']} — {_num(r[value])}" for r in rows] or ["No ranked results yet."]


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def announcement_lines(challenge: dict[str, Any]) -> list[str]:
    return [challenge["description"].strip() or challenge["title"],
            f"Open {challenge['opens']} to {challenge['closes']}; ratings until {challenge['review_closes']}.",
            f"Submit: p2p submit {challenge['slug']} --link URL"]


def slack(title: str, lines: list[str]) -> dict[str, Any]:
    body = "\n".join(slack_text(line) for line in lines)
    return {"text": slack_text(title), "blocks": [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150], "emoji": True}},
        {"type": "section", "text": {"type": "mrkdwn", "text": body[:3000]}},
    ]}


def teams(title: str, lines: list[str]) -> dict[str, Any]:
    card = {
        "type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "version": "1.4",
        "body": [{"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Large", "wrap": True}]
        + [{"type": "TextBlock", "text": line, "wrap": True} for line in lines],
    }
    return {"type": "message", "attachments": [
        {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}]}


def post(url: str, payload: dict[str, Any], timeout: float = 10.0) -> int:
    if not url.startswith(("https://", "http://")):
        raise InvalidInput(f"--post {url!r} must be an http:// or https:// webhook URL")
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked above
            return int(response.status)
    except urllib.error.HTTPError as exc:
        raise P2PError(f"the webhook answered {exc.code} {exc.reason}; nothing was posted") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise P2PError(f"could not reach the webhook ({reason}); nothing was posted") from None
