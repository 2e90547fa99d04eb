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
    assert _axe_serious(page) == []
    _report("open", page)

    _ask(page, "Hello, what are your opening hours?")
    answer = page.locator("answerpal-chat .line.ai[data-id]")
    answer.wait_for()
    ticket = Ticket.objects.get(channel=chat_channel)
    lines = list(TicketMessage.objects.filter(ticket=ticket).order_by("id"))
    assert [line.sender_type for line in lines] == [SenderType.END_USER, SenderType.SYSTEM]
    assert answer.locator("p").inner_text().strip() == lines[1].message.strip()
    assert _axe_serious(page) == []  # the lines in view: "You" on the accent, the answer, its buttons
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
    assert _axe_serious(page) == []
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


def test_a_host_the_channel_does_not_allow_gets_no_launcher_and_creates_nothing(
    page, shop_server, live_server, customer
):
    channel = ChannelFactory(
        customer=customer, channel_type=ChannelType.CHAT, email_address="", hostnames="shop.example"
    )
    requests, warnings = [], []
    page.on("request", lambda request: requests.append((request.method, request.url)))
    page.on("console", lambda message: warnings.append(message.text) if message.type == "warning" else None)
    page.goto(_host_page(shop_server, live_server, channel))
    page.wait_for_function("document.querySelector('answerpal-chat').dataset.state === 'refused'")
    assert page.locator("answerpal-chat .launcher").is_hidden()  # checked before showing: nothing to click
    assert page.evaluate("getComputedStyle(document.querySelector('answerpal-chat')).display") == "none"
    assert any("not available on this website" in text for text in warnings)
    assert [method for method, url in requests if "/api/WebChat/" in url] == ["GET"]  # the settings, nothing else
    page.evaluate("window.AnswerPalChat.open()")  # the page's own call opens nothing either
    assert page.locator("answerpal-chat .panel").is_hidden()
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
# and, right after the widget handled each event, the order of the lines in its log.
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
      for (const name of ['message', 'ai.delta', 'ai.status', 'ticket', 'typing', 'ready']) {
        super.addEventListener(name, (event) => {
          window.__answerpalEvents.push({type: name, data: JSON.parse(event.data)});
        });
      }
    }
    // The widget's own handlers: the snapshot is taken right after each one ran (not on a timer, which a browser
    // may run only after a whole batch of events that arrived together).
    addEventListener(name, handler, options) {
      super.addEventListener(name, (event) => { handler.call(this, event); snapshot(name); }, options);
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


# --- axe-core inside the widget (its Shadow DOM included) -----------------------------------------------------

_WIDGET = {"include": [["answerpal-chat"]]}  # the host element: axe-core walks its open shadow root


def _axe_serious(page) -> list[dict]:
    """Serious and critical axe-core findings inside the widget: its violations, and the checks axe could not
    finish (`incomplete`, e.g. a contrast it cannot compute) — except a line scrolled half out of the log, whose
    background axe cannot see ("partially obscured / overlaps"). Proves axe walked the Shadow DOM."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=_WIDGET, options={"resultTypes": ["violations", "passes"]}).response
    shadow_targets = [
        node["target"] for rule in results["passes"] for node in rule["nodes"] if isinstance(node["target"][0], list)
    ]
    assert shadow_targets, "axe-core did not reach into the widget's shadow root"
    found = []
    for kind in ("violations", "incomplete"):
        for rule in results[kind]:
            nodes = [
                (node["target"], " ".join(check["message"] for check in node["any"] + node["all"] + node["none"]))
                for node in rule["nodes"]
                if (node.get("impact") or rule["impact"]) in ("serious", "critical")
            ]
            if kind == "incomplete":
                nodes = [(target, why) for target, why in nodes if "obscured" not in why and "overlap" not in why]
            if nodes:
                found.append({"kind": kind, "id": rule["id"], "nodes": nodes})
    return found


def _widget_put(client, channel, **fields) -> dict:
    response = client.put(f"/api/Channels/{channel.pk}/widget", fields, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def _closed_now_hours(days_ahead: int = 3) -> dict:
    """Hours on one weekday only, `days_ahead` days from today (UTC): closed now, open on that day at 09:00."""
    from datetime import timedelta

    from django.utils import timezone

    from webwidget.hours import DAYS

    day = (timezone.now() + timedelta(days=days_ahead)).weekday()
    return {"timeZone": "Europe/Brussels", "weekly": [{"day": DAYS[day], "open": "09:00", "close": "17:00"}]}


def test_look_and_switches_set_through_the_api_show_in_the_widget(
    page, shop_server, live_server, chat_channel, admin_client
):
    _widget_put(
        admin_client,
        chat_channel,
        title="Help from Acme",
        accentColor="#1f2937",
        position="Left",
        consentText="We keep this chat for 30 days.",
        consentURL="https://shop.example/privacy",
        aiAnswers=False,
    )
    page.goto(_host_page(shop_server, live_server, chat_channel))
    launcher = page.locator("answerpal-chat .launcher")
    launcher.wait_for(state="visible")  # the launcher shows once the channel's settings have answered
    box = launcher.bounding_box()
    assert box["x"] == 20 and box["x"] + box["width"] < 100  # bottom left
    _open(page)
    panel = page.locator("answerpal-chat .panel").bounding_box()
    assert panel["x"] == 20
    assert page.locator("answerpal-chat header h2").inner_text() == "Help from Acme"
    header = page.evaluate(
        "(() => { const s = getComputedStyle(document.querySelector('answerpal-chat').shadowRoot"
        ".querySelector('header')); return [s.backgroundColor, s.color]; })()"
    )
    assert header == ["rgb(31, 41, 55)", "rgb(255, 255, 255)"]
    consent = page.locator("answerpal-chat .compose + .consent")
    assert consent.inner_text() == "We keep this chat for 30 days. Privacy notice"
    link = consent.locator("a")
    assert (link.get_attribute("href"), link.get_attribute("target")) == ("https://shop.example/privacy", "_blank")
    assert page.locator("answerpal-chat .away").is_hidden()  # no business hours: never away
    assert _axe_serious(page) == []
    _ask(page, "Do you ship to Belgium?")
    question = page.locator("answerpal-chat .line.visitor[data-id]")
    question.wait_for()
    assert page.locator("answerpal-chat .typing").is_hidden()  # AI answers off: nobody pretends to write
    you = page.evaluate(
        "(() => { const s = getComputedStyle(document.querySelector('answerpal-chat').shadowRoot"
        ".querySelector('.line.visitor .who')); return [s.color, s.opacity]; })()"
    )
    assert you == ["rgb(255, 255, 255)", "1"]  # white on #1f2937, full strength
    assert _axe_serious(page) == []
    _report("left-dark", page)


def test_a_light_accent_keeps_readable_text(page, shop_server, live_server, chat_channel, admin_client):
    _widget_put(admin_client, chat_channel, accentColor="#facc15")  # yellow: white text would fail
    page.goto(_host_page(shop_server, live_server, chat_channel))
    _open(page)
    _ask(page, "Hello there")
    page.locator("answerpal-chat .line.ai[data-id]").wait_for()
    colours = page.evaluate(
        "(() => { const r = document.querySelector('answerpal-chat').shadowRoot; const c = (q, p) =>"
        " getComputedStyle(r.querySelector(q))[p]; return [c('header', 'color'), c('.line.visitor .who', 'color'),"
        " c('.escalate', 'color')]; })()"
    )
    assert colours[0] == colours[1] == "rgb(17, 24, 39)"  # dark text on the yellow accent
    assert colours[2] != "rgb(250, 204, 21)"  # the accent darkened where it is text on white
    assert _axe_serious(page) == []


def test_out_of_hours_the_visitor_is_told_when_a_person_answers_and_the_note_survives_a_reload(
    page, shop_server, live_server, chat_channel, admin_client
):
    hours = _closed_now_hours()
    day = hours["weekly"][0]["day"]
    _widget_put(admin_client, chat_channel, businessHours=hours)
    page.goto(_host_page(shop_server, live_server, chat_channel))
    _open(page)
    away = page.locator("answerpal-chat .away")
    assert away.inner_text() == f"We are away right now. A person will answer from {day} 09:00 (Europe/Brussels)."
    assert away.get_attribute("role") == "status"
    _ask(page, "Can I return a sofa?")
    answer = page.locator("answerpal-chat .line.ai[data-id]")
    answer.wait_for()
    assert f"A person will answer from {day} 09:00" in answer.inner_text()  # the AI's holding line says it too
    page.locator("answerpal-chat .escalate").click()
    note = page.locator("answerpal-chat .note", has_text="passed on to a representative")
    note.wait_for()
    assert f"{day} 09:00 (Europe/Brussels)" in note.inner_text()
    assert _axe_serious(page) == []
    _report("away", page)

    page.reload()
    page.locator("answerpal-chat .line.ai[data-id]").wait_for()
    kept = page.locator("answerpal-chat .note", has_text="passed on to a representative")
    kept.wait_for()  # the escalation note is still there after the reload, under the lines it followed
    assert f"{day} 09:00" in kept.inner_text()
    order = page.evaluate(
        "[...document.querySelector('answerpal-chat').shadowRoot.querySelectorAll('.log .line, .log .note')]"
        ".map(e => e.classList.contains('note') ? 'note' : e.classList[1])"
    )
    assert order == ["visitor", "ai", "note"]
    assert page.locator("answerpal-chat .escalate").is_disabled()
    assert _axe_serious(page) == []


def test_representative_typing_unread_badge_sound_and_text_shown_as_written(
    page, shop_server, live_server, chat_channel, rep, rep_client
):
    ChatWidgetFactory(customer=chat_channel.customer, channel=chat_channel, sound=True)
    page.goto(_host_page(shop_server, live_server, chat_channel))
    _open(page)
    _ask(page, "My parcel did not arrive.")
    page.locator("answerpal-chat .line.ai[data-id]").wait_for()
    ticket = Ticket.objects.get(channel=chat_channel)
    typing = rep_client.post(f"/api/Tickets/{ticket.pk}/typing", {"isTyping": True}, format="json")
    assert typing.status_code == 200, typing.content
    indicator = page.locator("answerpal-chat .typing")
    indicator.wait_for()
    assert indicator.inner_text() == f"{rep.name} is typing…"
    assert _axe_serious(page) == []
    rep_client.post(f"/api/Tickets/{ticket.pk}/typing", {"isTyping": False}, format="json")
    indicator.wait_for(state="hidden")

    page.locator("answerpal-chat .close").click()
    badge = page.locator("answerpal-chat .badge")
    assert badge.is_hidden()
    written = "Press <Ctrl>+<F5>, then <script>x</script> & <b>retry</b>."
    question = TicketMessage.objects.filter(ticket=ticket, sender_type=SenderType.END_USER).first()
    reply = rep_client.post(f"/api/TicketMessages/{question.pk}/send", {"modifiedAnswer": written})
    assert reply.status_code == 202, reply.content
    badge.wait_for()
    assert badge.inner_text() == "1"
    assert page.locator("answerpal-chat .launcher").get_attribute("aria-label") == "Open the chat, 1 new messages"
    assert len(_marks(page, "answerpal:sound")) == 1
    _report("unread", page)

    _open(page)
    assert badge.is_hidden()
    line = page.locator("answerpal-chat .line.rep p")
    assert line.inner_text() == written  # escaped at render: every character as the representative wrote it
    assert (
        page.evaluate("document.querySelector('answerpal-chat').shadowRoot.querySelectorAll('script, b').length") == 0
    )
    page.reload()  # seen: the badge stays away after a reload
    page.locator("answerpal-chat .line.rep").wait_for()
    page.locator("answerpal-chat .close").click()
    assert page.locator("answerpal-chat .badge").is_hidden()


def test_a_new_conversation_starts_from_the_header(page, shop_server, live_server, chat_channel):
    page.goto(_host_page(shop_server, live_server, chat_channel))
    _open(page)
    restart = page.locator("answerpal-chat .restart")
    assert restart.is_hidden()  # nothing to restart yet
    _ask(page, "What are your opening hours?")
    page.locator("answerpal-chat .line.ai[data-id]").wait_for()
    page.locator("answerpal-chat .escalate").click()
    page.locator("answerpal-chat .note").wait_for()
    assert restart.inner_text() == "New conversation"
    restart.click()
    assert page.locator("answerpal-chat .log .line, answerpal-chat .log .note").count() == 0
    assert page.evaluate("document.querySelector('answerpal-chat').shadowRoot.activeElement.id") == "ap-input"
    assert page.locator("answerpal-chat .escalate").is_hidden()
    _ask(page, "Do you deliver on Saturdays?")
    page.locator("answerpal-chat .line.ai[data-id]").wait_for()
    first, second = Ticket.objects.filter(channel=chat_channel).order_by("id")
    assert first.escalated and not second.escalated
    assert TicketMessage.objects.filter(ticket=second, sender_type=SenderType.END_USER).count() == 1
    page.reload()  # the new conversation is the one that continues
    page.locator("answerpal-chat .line.ai[data-id]").wait_for()
    assert page.locator("answerpal-chat .line.visitor").count() == 1
    assert page.locator("answerpal-chat .note").count() == 0


# A visual viewport the test controls (as the on-screen keyboard would shrink it).
FAKE_VISUAL_VIEWPORT = """(() => {
  const viewport = new EventTarget();
  viewport.height = innerHeight; viewport.width = innerWidth; viewport.offsetTop = 0; viewport.offsetLeft = 0;
  viewport.scale = 1;
  Object.defineProperty(window, 'visualViewport', {value: viewport, configurable: true});
  window.__keyboard = (height) => { viewport.height = height; viewport.dispatchEvent(new Event('resize')); };
})();"""


def test_mobile_panel_is_a_modal_dialog_that_keeps_focus_and_follows_the_keyboard(
    chromium, shop_server, live_server, chat_channel, admin_client
):
    _widget_put(admin_client, chat_channel, consentText="See our notice.", consentURL="https://shop.example/p")
    context = chromium.new_context(viewport={"width": 390, "height": 780}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.add_init_script(FAKE_VISUAL_VIEWPORT)
    page.goto(_host_page(shop_server, live_server, chat_channel))
    _open(page)
    panel = page.locator("answerpal-chat .panel")
    assert (panel.get_attribute("role"), panel.get_attribute("aria-modal")) == ("dialog", "true")
    assert (
        page.evaluate(
            "getComputedStyle(document.querySelector('answerpal-chat').shadowRoot.querySelector('#ap-input')).fontSize"
        )
        == "16px"
    )
    inside = """() => { const root = document.querySelector('answerpal-chat').shadowRoot;
        return root.querySelector('.panel').contains(root.activeElement); }"""
    seen = set()
    for key in ["Tab"] * 8 + ["Shift+Tab"] * 8:
        page.keyboard.press(key)
        assert page.evaluate(inside), key  # the focus never leaves the dialog for the page behind it
        seen.add(page.evaluate("document.querySelector('answerpal-chat').shadowRoot.activeElement.className"))
    assert {"close", "send"} <= seen
    page.evaluate("window.__keyboard(420)")  # the keyboard comes up: the panel fits what is left
    box = panel.bounding_box()
    assert (box["y"], box["height"]) == (0, 420)
    page.evaluate("window.__keyboard(780)")
    assert panel.bounding_box()["height"] == 780
    assert _axe_serious(page) == []
    _report("mobile", page)
    context.close()

    desktop = chromium.new_context(viewport={"width": 1100, "height": 760})
    page = desktop.new_page()
    page.goto(_host_page(shop_server, live_server, chat_channel))
    _open(page)
    assert page.locator("answerpal-chat .panel").get_attribute("aria-modal") is None  # beside the page: not modal
    desktop.close()


def test_the_demo_page_answers_from_the_demo_faq(page, live_server, settings):
    from django.core.management import call_command

    settings.WEBWIDGET_DEMO = True
    call_command("seed_demo")
    call_command("webwidget_demo")
    page.goto(f"{live_server.url}/demo/chat")
    _open(page)
    _ask(page, "Do you deliver in Belgium?")
    answer = page.locator("answerpal-chat .line.ai[data-id]")
    answer.wait_for()
    assert "Belgium" in answer.inner_text()
    assert _axe_serious(page) == []
    _report("demo", page)
