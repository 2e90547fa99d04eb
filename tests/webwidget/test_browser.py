"""The widget in a real browser (headless Chromium): the snippet on a page of another origin than the API
(the page on 127.0.0.1, the platform on localhost, so every call is a CORS call) loads the widget; a question
opens a ticket and the AI's answer streams in live; like and escalate work; a reload continues the
conversation; a page on a host the channel does not allow shows a clear message and creates nothing; a hostile
stylesheet on the page changes nothing in the widget.

With WIDGET_REPORT_DIR set, screenshots of the open widget and the measured times (User Timing marks set by the
widget) are written there."""

import json
import os
from pathlib import Path

import pytest

from channels_cfg.models import ChannelType
from channels_cfg.snippet import widget_snippet
from tests.channels_cfg.factories import ChannelFactory
from tests.webwidget.factories import ChatWidgetFactory
from tickets.models import SenderType, Ticket, TicketMessage
from webwidget.models import PrechatForm

pytestmark = pytest.mark.django_db(transaction=True)

HOSTILE_CSS = """
* { font-size: 40px !important; color: red !important; background: lime !important; line-height: 3 !important;
    font-family: "Comic Sans MS", cursive !important; box-sizing: content-box !important; }
button, textarea, input { display: none !important; width: 400px !important; border: 9px solid red !important; }
answerpal-chat { left: 0 !important; top: 0 !important; right: auto !important; opacity: .1 !important; }
div, section, p { padding: 50px !important; margin: 30px !important; }
"""


@pytest.fixture(autouse=True)
def _quick_streams(settings):
    settings.WEBCHAT_STREAM_HEARTBEAT_SECONDS = 1


@pytest.fixture
def chat_channel(customer):
    return ChannelFactory(
        customer=customer, channel_type=ChannelType.CHAT, name="Shop chat", email_address="", hostnames="127.0.0.1"
    )


def _host_page(shop_server, live_server, channel, css: str = "") -> str:
    """A page of the shop (served on 127.0.0.1) with the channel's snippet pointing at the platform (localhost)."""
    html = (
        "<!doctype html><html><head><title>Shop</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{css}</style></head><body><h1>The shop</h1>"
        '<button class="launcher" id="page-button">A button of the page</button>'
        f"{widget_snippet(channel, base_url=live_server.url)}</body></html>"
    )
    return shop_server.page(f"/shop-{channel.pk}-{len(css)}.html", html)


def _report(name: str, page=None, data: dict | None = None) -> None:
    directory = os.environ.get("WIDGET_REPORT_DIR")
    if not directory:
        return
    Path(directory).mkdir(parents=True, exist_ok=True)
    if page is not None:
        page.screenshot(path=str(Path(directory) / f"widget-{name}.png"))
    if data is not None:
        (Path(directory) / f"widget-{name}.json").write_text(json.dumps(data, indent=2))


def _marks(page, name: str) -> list[float]:
    return page.evaluate(f"performance.getEntriesByName({json.dumps(name)}).map(entry => entry.startTime)")


def _open(page):
    page.locator("answerpal-chat .launcher").click()
    page.wait_for_function("performance.getEntriesByName('answerpal:open').length > 0")


def _ask(page, text: str):
    page.locator("answerpal-chat #ap-input").fill(text)
    page.keyboard.press("Enter")


def test_question_gets_a_live_ai_answer_like_escalate_and_reload(page, shop_server, live_server, chat_channel):
    requests = []
    page.on("request", lambda request: requests.append((request.method, request.url)))
    page.goto(_host_page(shop_server, live_server, chat_channel))
    _open(page)
    assert page.evaluate("document.activeElement.tagName") == "ANSWERPAL-CHAT"  # focus moved into the widget
    opened = {name: _marks(page, f"answerpal:{name}")[0] for name in ("loaded", "opening", "open")}
    _report("open", page)

    _ask(page, "Hello, what are your opening hours?")
    answer = page.locator("answerpal-chat .line.ai[data-id]")
    answer.wait_for()
    ticket = Ticket.objects.get(channel=chat_channel)
    lines = list(TicketMessage.objects.filter(ticket=ticket).order_by("id"))
    assert [line.sender_type for line in lines] == [SenderType.END_USER, SenderType.SYSTEM]
    assert answer.locator("p").inner_text().strip() == lines[1].message.strip()
    assert page.locator("answerpal-chat .line.visitor").count() == 1
    first = {name: _marks(page, f"answerpal:{name}")[-1] for name in ("question", "first-delta", "answer")}
    assert first["question"] < first["first-delta"] <= first["answer"]  # the answer streamed in before it was whole
    assert not [url for method, url in requests if method == "GET" and "/messages" in url]  # live, not polled

    _ask(page, "And do you deliver on Saturdays?")
    page.locator("answerpal-chat .line.ai[data-id]").nth(1).wait_for()
    warm = {name: _marks(page, f"answerpal:{name}")[-1] for name in ("question", "first-delta", "answer")}
    _report("answered", page)

    page.locator("answerpal-chat .line.ai[data-id]").nth(1).locator(".like").click()
    page.locator("answerpal-chat .like[aria-pressed=true]").wait_for()
    assert TicketMessage.objects.filter(ticket=ticket, sender_type=SenderType.SYSTEM, is_liked=True).count() == 1

    page.locator("answerpal-chat .escalate").click()
    page.locator("answerpal-chat .note", has_text="passed on to a representative").wait_for()
    ticket.refresh_from_db()
    assert ticket.escalated and ticket.status == "Escalated"
    assert page.locator("answerpal-chat .escalate").is_disabled()
    _report("escalated", page)

    page.reload()
    page.locator("answerpal-chat .line.ai[data-id]").nth(1).wait_for()  # reopened, with the whole conversation
    assert page.locator("answerpal-chat .line.visitor").count() == 2
    assert page.locator("answerpal-chat .like[aria-pressed=true]").count() == 1
    _ask(page, "Thanks, I will wait for the person.")
    page.locator("answerpal-chat .line.visitor[data-id]").nth(2).wait_for()
    assert Ticket.objects.filter(channel=chat_channel).count() == 1  # continued, not a new conversation
    assert TicketMessage.objects.filter(ticket=ticket, sender_type=SenderType.END_USER).count() == 3
    assert TicketMessage.objects.filter(ticket=ticket, sender_type=SenderType.SYSTEM).count() == 2  # a person now

    size = len((Path(__file__).resolve().parents[2] / "webwidget/public/widget/v1.js").read_bytes())
    _report(
        "measurements",
        data={
            "navigationToWidgetScriptRunMs": round(opened["loaded"]),
            "navigationToOpenWidgetMs": round(opened["open"]),
            "launcherClickToOpenWidgetMs": round(opened["open"] - opened["opening"]),
            "firstQuestionToFirstTokenMs": round(first["first-delta"] - first["question"]),
            "firstQuestionToWholeAnswerMs": round(first["answer"] - first["question"]),
            "warmQuestionToFirstTokenMs": round(warm["first-delta"] - warm["question"]),
            "warmQuestionToWholeAnswerMs": round(warm["answer"] - warm["question"]),
            "widgetBytes": size,
        },
    )


def test_representative_reply_arrives_live(page, shop_server, live_server, chat_channel, rep, rep_client):
    page.goto(_host_page(shop_server, live_server, chat_channel))
    _open(page)
    _ask(page, "Can a person call me back?")
    page.locator("answerpal-chat .line.ai[data-id]").wait_for()
    page.locator("answerpal-chat .file").set_input_files(
        files=[{"name": "receipt.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%test\n"}]
    )
    link = page.locator("answerpal-chat .line.visitor .files a")
    link.wait_for()
    assert link.inner_text().startswith("receipt.pdf") and "/api/File/" in link.get_attribute("href")
    question = TicketMessage.objects.filter(ticket__channel=chat_channel, sender_type=SenderType.END_USER).first()
    reply = rep_client.post(f"/api/TicketMessages/{question.pk}/send", {"modifiedAnswer": "Sure, at 3 pm."})
    assert reply.status_code == 202, reply.content
    line = page.locator("answerpal-chat .line.rep")
    line.wait_for()
    assert "Sure, at 3 pm." in line.inner_text()
    assert line.locator(".who").inner_text() == rep.name


def test_a_host_the_channel_does_not_allow_sees_a_message_and_creates_nothing(page, shop_server, live_server, customer):
    channel = ChannelFactory(
        customer=customer, channel_type=ChannelType.CHAT, email_address="", hostnames="shop.example"
    )
    page.goto(_host_page(shop_server, live_server, channel))
    page.locator("answerpal-chat .launcher").click()
    notice = page.locator("answerpal-chat .notice")
    notice.wait_for()
    assert notice.inner_text() == "The chat is not available on this website."
    assert notice.get_attribute("role") == "alert"
    assert page.locator("answerpal-chat .compose").is_hidden()
    _report("refused", page)
    assert not Ticket.objects.filter(channel=channel).exists()


_STYLES = """() => {
  const root = document.querySelector('answerpal-chat').shadowRoot;
  const pick = (selector) => {
    const style = getComputedStyle(root.querySelector(selector));
    return [style.fontSize, style.color, style.backgroundColor, style.display, style.width, style.padding,
            style.fontFamily, style.borderTopWidth];
  };
  const host = document.querySelector('answerpal-chat').getBoundingClientRect();
  return {launcher: pick('.launcher'), title: pick('header h2'), input: pick('#ap-input'), send: pick('.send'),
          log: pick('.log'), host: [Math.round(innerWidth - host.right), Math.round(innerHeight - host.bottom),
          getComputedStyle(document.querySelector('answerpal-chat')).opacity]};
}"""


def test_a_hostile_stylesheet_does_not_change_the_widget(chromium, shop_server, live_server, chat_channel):
    seen = []
    for css in ("", HOSTILE_CSS):
        context = chromium.new_context(viewport={"width": 1100, "height": 760})
        page = context.new_page()
        page.goto(_host_page(shop_server, live_server, chat_channel, css))
        _open(page)
        seen.append(page.evaluate(_STYLES))
        if css:
            _report("hostile-css", page)
            # and the widget's own CSS does not reach the page: the page's `.launcher` button keeps the page's style
            assert page.evaluate("getComputedStyle(document.getElementById('page-button')).display") == "none"
        context.close()
    assert seen[0] == seen[1]
    assert seen[0]["launcher"][4] == "56px" and seen[0]["title"][0] == "16px"


def test_mobile_layout_fills_the_screen(chromium, shop_server, live_server, chat_channel):
    context = chromium.new_context(viewport={"width": 390, "height": 780}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(_host_page(shop_server, live_server, chat_channel))
    _open(page)
    box = page.locator("answerpal-chat .panel").bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 390, 780)
    _report("mobile", page)
    page.keyboard.press("Escape")  # keyboard: Escape closes and gives the focus back to the launcher
    assert page.locator("answerpal-chat .panel").is_hidden()
    assert page.evaluate("document.querySelector('answerpal-chat').shadowRoot.activeElement.className") == "launcher"
    context.close()


def test_where_a_proxy_blocks_the_stream_the_widget_polls(page, shop_server, live_server, chat_channel):
    page.route("**/stream?*", lambda route: route.fulfill(status=502, body="Bad gateway"))
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(_host_page(shop_server, live_server, chat_channel))
    _open(page)
    _ask(page, "Is the chat still working?")
    answer = page.locator("answerpal-chat .line.ai[data-id]")
    answer.wait_for()
    assert answer.locator(".who").inner_text() == "AI assistant"
    assert any("/messages?ticketToken=" in url for url in requests)  # the poll fallback answered
    assert page.locator("answerpal-chat .line.visitor").count() == 1


def test_the_prechat_form_asks_name_and_email_first(page, shop_server, live_server, chat_channel):
    ChatWidgetFactory(customer=chat_channel.customer, channel=chat_channel, prechat_form=PrechatForm.REQUIRED)
    page.goto(_host_page(shop_server, live_server, chat_channel))
    _open(page)
    form = page.locator("answerpal-chat .prechat")
    assert form.is_visible() and page.locator("answerpal-chat .compose").is_hidden()
    assert page.evaluate("document.querySelector('answerpal-chat').shadowRoot.activeElement.name") == "name"
    form.locator("button").click()  # required: nothing is created without both
    page.locator("answerpal-chat .notice").wait_for()
    assert not Ticket.objects.filter(channel=chat_channel).exists()
    form.locator("input[name=name]").fill("Eva")
    form.locator("input[name=email]").fill("eva@example.com")
    form.locator("button").click()
    page.locator("answerpal-chat .compose").wait_for()
    ticket = Ticket.objects.get(channel=chat_channel)
    assert (ticket.uid, ticket.end_user.firstname) == ("eva@example.com", "Eva")
    _ask(page, "Where is my parcel?")
    page.locator("answerpal-chat .line.ai[data-id]").wait_for()
    assert TicketMessage.objects.filter(ticket=ticket).count() == 2


# --- the answer policy in the browser: what the visitor's stream carries and what the widget shows ---------------

# Records every event of the widget's EventSource (listeners added at construction run before the widget's own)
# and, once the widget handled each event, the order of the lines in its log.
EVENT_RECORDER = """(() => {
  const Original = window.EventSource;
  window.__answerpalEvents = [];
  window.__answerpalSnapshots = [];
  const lineName = (line) => line.classList.contains('streaming') ? 'streaming:' + line.dataset.replyTo
    : line.classList.contains('pending') ? 'pending' : line.classList[1] + ':' + (line.dataset.id || '');
  const snapshot = (label) => {
    const host = document.querySelector('answerpal-chat');
    if (!host || !host.shadowRoot) return;
    window.__answerpalSnapshots.push([label, [...host.shadowRoot.querySelectorAll('.line')].map(lineName)]);
  };
  class RecordingEventSource extends Original {
    constructor(url, options) {
      super(url, options);
      for (const name of ['message', 'ai.delta', 'ai.status', 'ticket', 'ready']) {
        this.addEventListener(name, (event) => {
          window.__answerpalEvents.push({type: name, data: JSON.parse(event.data)});
          setTimeout(() => snapshot(name), 0);
        });
      }
    }
  }
  window.EventSource = RecordingEventSource;
})();"""

_LINES = """() => [...document.querySelector('answerpal-chat').shadowRoot.querySelectorAll('.log .line')].map(
  (line) => [line.classList.contains('streaming') ? 'streaming' : line.classList[1], Number(line.dataset.id || 0)])"""


def _recorded(page) -> list[dict]:
    return page.evaluate("window.__answerpalEvents")


def _wait_for_status(page, reply_to: int) -> dict:
    page.wait_for_function(
        f"window.__answerpalEvents.some(e => e.type === 'ai.status' && e.data.replyTo === {reply_to})"
    )
    return next(e for e in _recorded(page) if e["type"] == "ai.status" and e["data"]["replyTo"] == reply_to)


def _deltas_for(page, reply_to: int) -> list[dict]:
    return [e for e in _recorded(page) if e["type"] == "ai.delta" and e["data"]["replyTo"] == reply_to]


def _newest_question(channel) -> TicketMessage:
    return TicketMessage.objects.filter(ticket__channel=channel, sender_type=SenderType.END_USER).latest("id")


def _wait_for_question(page, channel, count: int) -> TicketMessage:
    page.locator("answerpal-chat .line.visitor[data-id]").nth(count - 1).wait_for()
    return _newest_question(channel)


def test_ai_answers_off_the_visitor_never_sees_ai_text_nor_receives_a_delta(
    page, shop_server, live_server, chat_channel
):
    ChatWidgetFactory(customer=chat_channel.customer, channel=chat_channel, ai_answers=False)
    page.add_init_script(EVENT_RECORDER)
    page.goto(_host_page(shop_server, live_server, chat_channel))
    _open(page)
    _ask(page, "Hello, what are your opening hours?")
    question = _wait_for_question(page, chat_channel, 1)
    assert _wait_for_status(page, question.pk)["data"]["status"] == "Held"
    question.refresh_from_db()
    assert question.ai_generated_response.strip()  # the draft exists, for the representatives only
    assert not [e for e in _recorded(page) if e["type"] == "ai.delta"]
    assert page.locator("answerpal-chat .line.ai").count() == 0
    assert question.ai_generated_response.strip()[:25] not in page.locator("answerpal-chat .log").inner_text()
    assert page.locator("answerpal-chat .typing").is_hidden()

    page.reload()
    page.locator("answerpal-chat .line.visitor[data-id]").wait_for()
    page.wait_for_function("window.__answerpalEvents.some(e => e.type === 'ready')")
    assert page.locator("answerpal-chat .line.ai").count() == 0
    assert not TicketMessage.objects.filter(ticket=question.ticket, sender_type=SenderType.SYSTEM).exists()


def test_after_talk_to_a_person_the_ai_stays_silent(page, shop_server, live_server, chat_channel):
    page.add_init_script(EVENT_RECORDER)
    page.goto(_host_page(shop_server, live_server, chat_channel))
    _open(page)
    _ask(page, "Do you deliver on Saturdays?")
    page.locator("answerpal-chat .line.ai[data-id]").wait_for()
    page.locator("answerpal-chat .escalate").click()
    page.locator("answerpal-chat .note", has_text="passed on to a representative").wait_for()

    _ask(page, "I would rather talk to somebody about my order.")
    question = _wait_for_question(page, chat_channel, 2)
    _wait_for_status(page, question.pk)
    assert not _deltas_for(page, question.pk)
    assert page.locator("answerpal-chat .line.ai").count() == 1  # only the answer from before the escalation
    assert page.locator("answerpal-chat .line.streaming").count() == 0
    page.reload()
    page.locator("answerpal-chat .line.visitor[data-id]").nth(1).wait_for()
    assert page.locator("answerpal-chat .line.ai").count() == 1


def test_after_a_representative_replied_the_ai_stays_silent(page, shop_server, live_server, chat_channel, rep_client):
    page.add_init_script(EVENT_RECORDER)
    page.goto(_host_page(shop_server, live_server, chat_channel))
    _open(page)
    _ask(page, "Can I change my delivery address?")
    page.locator("answerpal-chat .line.ai[data-id]").wait_for()
    first = _newest_question(chat_channel)
    reply = rep_client.post(f"/api/TicketMessages/{first.pk}/send", {"modifiedAnswer": "Yes, Ann here: which one?"})
    assert reply.status_code == 202, reply.content
    page.locator("answerpal-chat .line.rep").wait_for()

    _ask(page, "Rue de la Loi 16, Brussels.")
    question = _wait_for_question(page, chat_channel, 2)
    _wait_for_status(page, question.pk)
    assert not _deltas_for(page, question.pk)
    assert page.locator("answerpal-chat .line.ai").count() == 1
    assert page.evaluate(_LINES)[-1][0] == "visitor"  # the question is the last line: nobody answered it (yet)
    page.reload()
    page.locator("answerpal-chat .line.visitor[data-id]").nth(1).wait_for()
    assert [kind for kind, _ in page.evaluate(_LINES)] == ["visitor", "ai", "rep", "visitor"]


def _assert_streams_follow_their_question(snapshots: list) -> int:
    """Every snapshot that shows a streaming answer shows it under the question it answers; answers how many did."""
    streaming = 0
    for _label, names in snapshots:
        for index, name in enumerate(names):
            if name.startswith("streaming:"):
                streaming += 1
                question = f"visitor:{name.split(':')[1]}"
                before = names[:index]
                assert question in before or "pending" in before, names
                assert question not in names[index:] and "pending" not in names[index:], names
    return streaming


def test_lines_are_in_server_order_while_streaming_and_after_reload(page, shop_server, live_server, chat_channel):
    page.add_init_script(EVENT_RECORDER)
    page.goto(_host_page(shop_server, live_server, chat_channel))
    _open(page)
    _ask(page, "What are your opening hours?")
    page.locator("answerpal-chat .line.ai[data-id]").wait_for()
    _ask(page, "And do you deliver on Saturdays?")
    page.locator("answerpal-chat .line.ai[data-id]").nth(1).wait_for()

    lines = page.evaluate(_LINES)
    assert [kind for kind, _ in lines] == ["visitor", "ai", "visitor", "ai"]
    ids = [message_id for _, message_id in lines]
    assert ids == sorted(ids) and ids == list(
        TicketMessage.objects.filter(ticket__channel=chat_channel).order_by("id").values_list("id", flat=True)
    )
    assert _assert_streams_follow_their_question(page.evaluate("window.__answerpalSnapshots")) > 0

    page.reload()
    page.locator("answerpal-chat .line.ai[data-id]").nth(1).wait_for()
    assert page.evaluate(_LINES) == lines


def test_a_cancelled_stream_disappears_at_once_and_the_question_stays(
    page, shop_server, live_server, chat_channel, monkeypatch
):
    from webwidget import services as widget_services

    # The answer streams, then is not delivered (as when a person takes over between the draft and its sending).
    monkeypatch.setattr(widget_services, "ai_answer_send", lambda **ids: None)
    page.add_init_script(EVENT_RECORDER)
    page.goto(_host_page(shop_server, live_server, chat_channel))
    _open(page)
    _ask(page, "What are your opening hours?")
    question = _wait_for_question(page, chat_channel, 1)
    _wait_for_status(page, question.pk)
    page.wait_for_function("window.__answerpalSnapshots.some(s => s[0] === 'ai.status')")
    snapshots = page.evaluate("window.__answerpalSnapshots")
    assert _deltas_for(page, question.pk) and _assert_streams_follow_their_question(snapshots) > 0
    after_status = next(names for label, names in snapshots if label == "ai.status")
    # the bubble went with the ai.status event itself; the question stays (confirmed or still being confirmed)
    assert after_status in ([f"visitor:{question.pk}"], ["pending"])
    assert page.locator("answerpal-chat .line.streaming").count() == 0
    assert page.locator("answerpal-chat .typing").is_hidden()
    page.reload()
    page.locator("answerpal-chat .line.visitor[data-id]").wait_for()
    assert [kind for kind, _ in page.evaluate(_LINES)] == ["visitor"]
