"""SRV-7: reading inbound mail never fails, whatever the bytes; HTML becomes inert text."""

from email.message import EmailMessage

from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.service.mailparse import html_to_text, parse

LIMITS = {"max_attachment": 1000, "max_attachments": 2}


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_parse_without_an_exception(raw):
    """SRV-7: random bytes give a ParsedMail with an id and text free of NUL bytes."""
    mail = parse(raw, **LIMITS)
    assert mail.message_id.startswith("<") and "\x00" not in mail.text and "\x00" not in mail.subject


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["multipart/mixed", "multipart/alternative", "text/html",
                                               "message/rfc822", "application/pdf"]))
def test_mangled_mime_parses(body, content_type):
    """SRV-7: a declared structure the body does not follow is read as far as it goes."""
    raw = (f"From: x@y.example\r\nSubject: t\r\nContent-Type: {content_type}; boundary=\"b\"\r\n"
           f"Content-Transfer-Encoding: base64\r\n\r\n--b\r\n{body}\r\n--b").encode("utf-8", "surrogatepass")
    parse(raw, **LIMITS)


def test_html_is_reduced_to_text_without_scripts():
    """SRV-7: scripts, styles and their content vanish; blocks become lines; entities decode."""
    html = ('<div>第一行<br>第二行</div><script>document.cookie</script><style>.x{}</style>'
            '<p onclick="steal()">点击&lt;这里&gt;</p><ul><li>一</li><li>二</li></ul><iframe src=x>内嵌</iframe>')
    assert html_to_text(html) == "第一行\n第二行\n\n点击<这里>\n\n• 一\n\n• 二"


def test_attachment_limits_and_forwarded_messages():
    """SRV-7: more attachments than allowed, and forwarded messages (kept as .eml)."""
    message = EmailMessage()
    message["From"], message["Subject"] = "fwd@customer.example", "转发"
    message.set_content("见转发")
    inner = EmailMessage()
    inner["Subject"] = "原始邮件"
    inner.set_content("原文")
    message.add_attachment(inner)
    for index in range(3):
        message.add_attachment(b"%PDF-1.4\n", maintype="application", subtype="pdf", filename=f"{index}.pdf")
    mail = parse(message.as_bytes(), **LIMITS)
    assert mail.text == "见转发"
    assert [a.name for a in mail.attachments][0].endswith(".eml") and len(mail.attachments) == 2
    assert [r.name for r in mail.refused] == ["1.pdf", "2.pdf"]
