"""The prompts the OpenAI-compatible provider sends; one function per operation, returning chat messages."""

import json

from ai.providers.base import FieldSpec, ReplyRequest, RoomReportRequest, TopicCandidate

_SPAM_HEADERS = (
    "auto-submitted",
    "x-autoreply",
    "x-autorespond",
    "precedence",
    "list-id",
    "list-unsubscribe",
    "x-failed-recipients",
    "content-type",
    "return-path",
    "reply-to",
)


def spam_messages(*, sender: str, subject: str, text: str, headers: str = "") -> list[dict]:
    """The model sees the headers that tell automated and bulk mail apart (not Received chains or DKIM blobs)."""
    kept = [
        line[:300] for line in (headers or "").splitlines() if line.split(":", 1)[0].strip().lower() in _SPAM_HEADERS
    ]
    header_block = ("\n" + "\n".join(kept)) if kept else ""
    return [
        {
            "role": "system",
            "content": "You screen inbound customer-service messages. Answer JSON "
            '{"isSpam": bool, "score": number 0..1, "reason": string}. Marketing, phishing, scams and bulk mail '
            "are spam; questions, complaints and orders from real customers are not.",
        },
        {"role": "user", "content": f"From: {sender}\nSubject: {subject}{header_block}\n\n{text[:6000]}"},
    ]


def topic_messages(*, text: str, topics: list[TopicCandidate]) -> list[dict]:
    catalogue = [
        {"id": topic.topic_id, "name": topic.name, "description": topic.description, "examples": list(topic.examples)}
        for topic in topics
    ]
    return [
        {
            "role": "system",
            "content": "Classify the customer message into zero to three of the tenant's topics. The examples are "
            "messages a representative confirmed for that topic. Answer JSON "
            '{"topicIds": [ids, best first]}. Topics:\n' + json.dumps(catalogue, ensure_ascii=False),
        },
        {"role": "user", "content": text[:8000]},
    ]


def field_messages(*, text: str, fields: list[FieldSpec]) -> list[dict]:
    definitions = [
        {
            "fieldName": field.field_name,
            "type": field.field_type,
            "displayName": field.display_name,
            "description": field.description,
            "options": list(field.options),
        }
        for field in fields
    ]
    return [
        {
            "role": "system",
            "content": "Extract these custom fields from the message. Answer JSON {fieldName: value} with only "
            "the fields the message states; numbers as numbers, dates as YYYY-MM-DD, dropdowns as one of the "
            "options.\n" + json.dumps(definitions, ensure_ascii=False),
        },
        {"role": "user", "content": text[:8000]},
    ]


def reply_messages(request: ReplyRequest) -> list[dict]:
    system = [
        f"You are a customer-service representative answering a {request.channel_type} message. Write the reply "
        f"in the language of the message (ISO code {request.lang or 'unknown'}), friendly and precise, using only "
        "the facts below; when they do not answer the question, say that a colleague will follow up. Do not "
        "add a signature; it is appended for you."
    ]
    for passage in request.instructions:
        system.append(f"## Instructions: {passage.title}\n{passage.text}")
    for passage in request.knowledge:
        system.append(f"## Knowledge: {passage.title}\n{passage.text}")
    if request.topics:
        system.append("## Topics of this message\n" + ", ".join(request.topics))
    if request.end_user_context:
        system.append(f"## About the end user\n{request.end_user_context}")
    if request.history:
        system.append("## Earlier messages in this conversation\n" + "\n".join(request.history))
    if request.away_line:
        system.append(
            "## Business hours\nNobody of the team is available right now. When a colleague must follow up, say "
            f"when (in the message language): {request.away_line}"
        )
    user = f"Subject: {request.subject}\n\n{request.message_text}"
    if request.additional_info:
        user += f"\n\n[Additional information from the representative]\n{request.additional_info}"
    return [{"role": "system", "content": "\n\n".join(system)}, {"role": "user", "content": user}]


def summary_messages(*, text: str, lang: str) -> list[dict]:
    return [
        {
            "role": "system",
            "content": "Summarize this customer-service conversation for a colleague in at most five sentences: "
            f"the request, what was answered, what is still open. Language: {lang or 'the conversation language'}.",
        },
        {"role": "user", "content": text[:20000]},
    ]


def translate_messages(*, text: str, target_lang: str) -> list[dict]:
    return [
        {
            "role": "system",
            "content": f"Translate the user's text into the language with code {target_lang}. Answer with the "
            "translation only, keeping formatting and placeholders.",
        },
        {"role": "user", "content": text},
    ]


def location_messages(*, country: str, state: str, city: str) -> list[dict]:
    place = ", ".join(part for part in (city, state, country) if part)
    return [
        {
            "role": "system",
            "content": 'Name the primary language spoken at this place. Answer JSON {"lang": ISO 639-3 code}.',
        },
        {"role": "user", "content": place},
    ]


def room_report_messages(request: RoomReportRequest) -> list[dict]:
    system = [
        "You write one room of a property condition report (move-in or move-out inventory, Dutch "
        "'plaatsbeschrijving') from the inspector's dictation. Write in the report's language (below; else the "
        "dictation's), factual and complete, without inventing observations. Group the observations per element "
        "under <h3> headings in this order: floor, walls, ceiling, windows, doors, fixtures (kitchen, cupboards, "
        "sink), sanitary, heating and ventilation, electricity, meters, then anything else; each observation under "
        "the element it is about; use <ul> lists, and a <table> "
        "where the dictation lists items with their state. Answer with HTML only (h3, h4, p, ul, ol, li, table, "
        "thead, tbody, tr, th, td, strong, em), no scripts, no styles, no code fences."
    ]
    if request.lang:
        system.append(f"## Report language\n{request.lang}: every heading and sentence in this language.")
    if request.lexicon.strip():
        system.append("## Lexicon: always use the firm's preferred terms\n" + request.lexicon)
    for passage in request.instructions:
        system.append(f"## Instructions: {passage.title}\n{passage.text}")
    if request.report_context:
        system.append(f"## Report\n{request.report_context}")
    user = f"Room: {request.room_name}\n\nDictation:\n{request.transcript[:20000]}"
    return [{"role": "system", "content": "\n\n".join(system)}, {"role": "user", "content": user}]
