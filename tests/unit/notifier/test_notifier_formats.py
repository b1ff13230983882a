"""Vendor payload formats, signatures (against values computed with openssl) and email."""

import email
import email.policy
from urllib.parse import parse_qs, urlsplit

import pytest

from notifier.channels import formats
from notifier.domain.render import RenderedAlert, render
from tests.unit.notifier import builders as b

pytestmark = pytest.mark.unit

# Computed outside Python with openssl, so the test does not re-run our own code:
#   printf '1700000000000\nSECtest-secret' \
#     | openssl dgst -sha256 -hmac 'SECtest-secret' -binary | base64
DINGTALK_SIGN_B64 = "LC7hxZ4wslL+P7j7gu1hoQ+wzByekL+yWgiUMekZs0g="
#   printf '' | openssl dgst -sha256 -mac HMAC \
#     -macopt hexkey:$(printf '1700000000\ntest-secret' | xxd -p | tr -d '\n') -binary | base64
FEISHU_SIGN_B64 = "mbm4Y4oluIPQ00qlBIhX8vAZ0EKv3nw0LuTb91jPL84="


@pytest.fixture
def alert() -> RenderedAlert:
    event = b.standing_event("TierAtRisk", "at_risk", "gazelle", "gazelle", at_risk=True,
                             failing=[b.failing()])
    return render(event, "at_risk", "zh", b.BASE_URL)


def test_wecom_markdown(alert: RenderedAlert) -> None:
    p = formats.wecom_payload(alert)
    assert p["msgtype"] == "markdown" and set(p) == {"msgtype", "markdown"}
    content = p["markdown"]["content"]
    assert content.startswith(f"### {alert.title}")
    assert f"[查看详情]({alert.link})" in content
    assert "尚缺" in content


def test_wecom_content_is_cut_to_4096_bytes(alert: RenderedAlert) -> None:
    big = alert.model_copy(update={"body_text": alert.title + "\n" + "很长" * 3000})
    content = formats.wecom_payload(big)["markdown"]["content"]
    assert len(content.encode("utf-8")) <= 4096 and content.endswith("…")


def test_dingtalk_markdown(alert: RenderedAlert) -> None:
    p = formats.dingtalk_payload(alert)
    assert p["msgtype"] == "markdown"
    assert p["markdown"]["title"] == alert.title
    assert alert.link in p["markdown"]["text"]


def test_dingtalk_signature_matches_openssl() -> None:
    sign = formats.dingtalk_sign("SECtest-secret", 1700000000000)
    assert sign == "LC7hxZ4wslL%2BP7j7gu1hoQ%2BwzByekL%2ByWgiUMekZs0g%3D"
    url = formats.dingtalk_signed_url(
        "https://oapi.dingtalk.com/robot/send?access_token=abc", "SECtest-secret", 1700000000000
    )
    q = parse_qs(urlsplit(url).query)
    assert q == {"access_token": ["abc"], "timestamp": ["1700000000000"],
                 "sign": [DINGTALK_SIGN_B64]}
    bare = formats.dingtalk_signed_url("https://x.test/r", "s", 1)
    assert bare.startswith("https://x.test/r?timestamp=1&")


def test_feishu_signature_matches_openssl() -> None:
    assert formats.feishu_sign("test-secret", 1700000000) == FEISHU_SIGN_B64


def test_feishu_post_signed_and_unsigned(alert: RenderedAlert) -> None:
    signed = formats.feishu_payload(alert, secret="test-secret", timestamp_s=1700000000)
    assert signed["msg_type"] == "post"
    assert signed["timestamp"] == "1700000000" and signed["sign"] == FEISHU_SIGN_B64
    post = signed["content"]["post"]["zh_cn"]
    assert post["title"] == alert.title
    assert post["content"][-1] == [{"tag": "a", "text": "查看详情", "href": alert.link}]
    assert all(row[0]["tag"] in ("text", "a") for row in post["content"])
    unsigned = formats.feishu_payload(alert.model_copy(update={"language": "en"}))
    assert "sign" not in unsigned and "timestamp" not in unsigned
    assert "en_us" in unsigned["content"]["post"]
    with pytest.raises(ValueError):
        formats.feishu_payload(alert, secret="s")


def test_generic_payload_fields(alert: RenderedAlert) -> None:
    p = formats.generic_payload(alert, alert_id="a-1", idempotency_key="k-1")
    assert p["alert_id"] == "a-1" and p["idempotency_key"] == "k-1"
    assert p["kind"] == "at_risk" and p["severity"] == "critical" and p["language"] == "zh"
    assert p["title"] == alert.title and p["body"] == alert.body_text and p["link"] == alert.link
    assert p["firm_id"] == alert.firm_id and p["event_id"] == alert.event_id


def test_email_is_multipart_alternative_with_utf8_subject(alert: RenderedAlert) -> None:
    msg = formats.build_email("notifier@kjj.dl.gov.cn", "officer@kjj.dl.gov.cn", alert)
    assert msg.get_content_type() == "multipart/alternative"
    raw = msg.as_bytes()
    assert raw.isascii()  # non-ASCII subject travels as RFC 2047 encoded words
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == alert.title
    text, html = parsed.iter_parts()
    assert text.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    assert text.get_content().strip() == alert.body_text
    assert alert.body_html in html.get_content() and 'charset="utf-8"' in html.get_content()


def test_truncate_never_splits_a_character() -> None:
    assert formats.truncate_utf8("abc", 10) == "abc"
    cut = formats.truncate_utf8("雏鹰瞪羚", 8)
    assert cut == "雏…" and len(cut.encode()) <= 8
