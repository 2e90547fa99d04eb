"""Reads the AI steps need: the message with its tenant and model slots, topic candidates with learned
examples, prompt and knowledge passages, the ticket history, the end user and the signature."""

import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

from bs4 import BeautifulSoup
from django.db.models import Count, Max, OuterRef, Q, Subquery

from accounts.selectors import rep_signature_get
from ai.conf import ai_float, ai_int
from ai.models import MessagePipeline
from ai.providers import retrieval
from ai.providers.base import FieldSpec, Passage, SpamContext, SpamMark, TopicCandidate
from ai.providers.local import iso_639_1, iso_639_3
from ai.providers.retrieval import PassageIndex
from ai.providers.spam import automated_kind
from automation.models import ALL_TOPICS, TopicAction, TopicDocument
from automation.prompt_documents import function_tool_documents as automation_function_tool_documents
from automation.prompt_documents import prompt_documents_build
from automation.selectors import topics_for_channel
from channels_cfg.models import ChannelTranslation
from channels_cfg.selectors import channel_translation_for
from customers.models import Customer, CustomFieldDefinition
from documents.models import Document
from tickets.models import SenderType, Ticket, TicketMessage, TicketMessageTopic
from tickets.selectors import ticket_history_summary

SLOT_FIELDS = (
    "default_topic_model",
    "default_webchat_model",
    "default_email_model",
    "default_call_model",
    "default_spam_model",
    "default_summary_model",
)
EXAMPLES_PER_TOPIC = 5
KNOWLEDGE_PASSAGES = 4  # whole documents given to an OpenAI-compatible model
KNOWLEDGE_HITS = 5  # ranked passages given to the offline provider
KNOWLEDGE_DOCUMENTS = 500


# Joined because every step reads them; representatives (signatures) load only when a draft is signed.
MESSAGE_AI_RELATED = ("ticket", "ticket__end_user", "channel", "end_user", "customer")


def _one(queryset):
    """The first row without an ORDER BY (the lookups here are unique; ordering only costs compile time)."""
    return next(iter(queryset.order_by()[:1]), None)


def message_for_ai(*, message_id: int, customer_id: int | None = None) -> TicketMessage | None:
    """The message with ticket, channel, end user and customer (one query); the model slots load when a step
    first needs one (joining all of them costs more than the two or three small queries)."""
    queryset = TicketMessage.objects.select_related(*MESSAGE_AI_RELATED)
    if customer_id is not None:
        queryset = queryset.filter(customer_id=customer_id)
    return _one(queryset.filter(pk=message_id))


@dataclass(frozen=True)
class AutomationLinks:
    """What a customer linked in automation, so the pipeline skips engine calls that cannot do anything."""

    hooks: frozenset[str]  # hook names with at least one linked action
    topic_actions: bool  # actions linked to topics or to every topic
    documents: bool  # prompt documents linked to topics, every topic or a hook


def automation_links(*, customer_id: int) -> AutomationLinks:
    """Two small queries per pipeline run instead of the engine's per-hook queries for tenants without links."""
    specials = set(
        TopicAction.objects.filter(customer_id=customer_id, action__is_active=True)
        .values_list("special_topic", flat=True)
        .order_by()
        .distinct()
    )
    return AutomationLinks(
        hooks=frozenset(specials - {"", ALL_TOPICS}),
        topic_actions=bool(specials & {"", ALL_TOPICS}),
        documents=TopicDocument.objects.filter(customer_id=customer_id).exists(),
    )


def customer_for_ai(*, customer_id: int) -> Customer:
    return Customer.objects.select_related(*SLOT_FIELDS).get(pk=customer_id)


def pipeline_get(*, message_id: int) -> MessagePipeline | None:
    return _one(MessagePipeline.objects.filter(message_id=message_id))


def message_text(message: TicketMessage) -> str:
    """The readable text of a message: text body, chat line, else the HTML body without tags."""
    if message.text_body.strip():
        return message.text_body
    if message.message.strip():
        return message.message
    if message.html_body.strip():
        return BeautifulSoup(message.html_body, "html.parser").get_text("\n", strip=True)
    return ""


def channel_type_of(message: TicketMessage) -> str:
    return message.channel.channel_type if message.channel_id else message.ticket.channel_type or "Email"


def topic_candidates(*, message: TicketMessage) -> list[TopicCandidate]:
    """The channel's topics (its topic policy applied) with up to five corrected examples each (two queries)."""
    if message.channel_id is None:
        return []
    topics = list(topics_for_channel(customer_id=message.customer_id, channel_id=message.channel_id))
    corrected = (
        TicketMessageTopic.objects.filter(customer_id=message.customer_id, corrected=True, topic__in=topics)
        .exclude(message_id=message.pk)
        .select_related("message")
        .only("topic_id", "message__subject", "message__text_body", "message__message", "message__html_body")
        .order_by("-correction_date", "-id")[: EXAMPLES_PER_TOPIC * max(len(topics), 1) * 4]
    )
    examples: dict[int, list[str]] = defaultdict(list)
    for row in corrected:
        if len(examples[row.topic_id]) < EXAMPLES_PER_TOPIC:
            examples[row.topic_id].append(f"{row.message.subject}\n{message_text(row.message)}"[:1500])
    return [
        TopicCandidate(
            topic_id=topic.pk, name=topic.name, description=topic.description, examples=tuple(examples[topic.pk])
        )
        for topic in topics
    ]


SPAM_MARKS = 200  # the tenant's most recent spam / not-spam corrections the spam step learns from
TENANT_LANGUAGE_MESSAGES = 300
TENANT_LANGUAGE_SECONDS = 600.0
_tenant_languages: dict[int, tuple[tuple[str, ...], float]] = {}
_tenant_languages_lock = threading.Lock()


def tenant_languages(*, customer_id: int) -> tuple[str, ...]:
    """The tenant's languages, most used first: those of its recent inbound messages (at least 3% of them) and
    of its channels' translations. Kept per process for TENANT_LANGUAGE_SECONDS (two small queries)."""
    with _tenant_languages_lock:
        cached = _tenant_languages.get(customer_id)
    if cached and time.monotonic() - cached[1] < TENANT_LANGUAGE_SECONDS:
        return cached[0]
    recent = Counter(
        iso_639_1(lang)
        for lang in TicketMessage.objects.filter(customer_id=customer_id, incoming=True)
        .exclude(lang="")
        .order_by("-id")
        .values_list("lang", flat=True)[:TENANT_LANGUAGE_MESSAGES]
    )
    total = sum(recent.values())
    languages = [lang for lang, n in recent.most_common() if n >= max(1, total * 0.03)]
    for lang in ChannelTranslation.objects.filter(customer_id=customer_id).values_list("lang", flat=True).distinct():
        code = iso_639_1(lang)
        if code and code not in languages:
            languages.append(code)
    result = tuple(languages)
    with _tenant_languages_lock:
        _tenant_languages[customer_id] = (result, time.monotonic())
    return result


def spam_sender(message: TicketMessage) -> str:
    return message.from_address or message.from_number or message.uid


def spam_context(*, message: TicketMessage) -> SpamContext:
    """What the tenant's representatives decided before (three queries):

    - marks: inbound first messages of tickets where the ticket's spam flag disagrees with the AI's verdict on
      that message, i.e. a representative (or the tenant's MarkSpam / NotSpam rule) corrected it;
    - the sender's history: its other tickets in the spam folder, and those a representative answered."""
    first_inbound = (
        TicketMessage.objects.filter(ticket_id=OuterRef("ticket_id"), incoming=True).order_by("id").values("id")[:1]
    )
    corrected = (
        TicketMessage.objects.filter(customer_id=message.customer_id, incoming=True, is_spam_ai__isnull=False)
        .filter(Q(is_spam_ai=True, ticket__is_spam=False) | Q(is_spam_ai=False, ticket__is_spam=True))
        .exclude(ticket_id=message.ticket_id)
        .filter(pk=Subquery(first_inbound))
        .select_related("ticket")
        .only("subject", "text_body", "message", "html_body", "headers", "from_address", "ticket__is_spam")
        .order_by("-id")[:SPAM_MARKS]
    )
    marks = tuple(
        SpamMark(text=f"{row.subject}\n{message_text(row)}"[:1500], is_spam=row.ticket.is_spam)
        for row in corrected
        # an auto-reply kept out of the spam folder (it answered our own first mail) is no "not spam" decision
        if row.ticket.is_spam
        or automated_kind(sender=row.from_address, subject=row.subject, headers=row.headers)[0] is None
    )
    sender = spam_sender(message)
    sender_spam = sender_genuine = 0
    if sender:
        same_sender = Q(from_address=sender) if message.from_address else Q(from_number=sender) | Q(uid=sender)
        tickets = (
            TicketMessage.objects.filter(same_sender, customer_id=message.customer_id, incoming=True)
            .exclude(ticket_id=message.ticket_id)
            .values_list("ticket_id", flat=True)
        )
        sender_spam = Ticket.objects.filter(customer_id=message.customer_id, pk__in=tickets, is_spam=True).count()
        sender_genuine = (
            Ticket.objects.filter(customer_id=message.customer_id, pk__in=tickets, is_spam=False)
            .filter(messages__sender_type=SenderType.CUSTOMER_REP, messages__incoming=False)
            .distinct()
            .count()
        )
    return SpamContext(marks=marks, sender_spam=sender_spam, sender_genuine=sender_genuine)


def custom_field_specs(*, customer_id: int) -> list[FieldSpec]:
    return [
        FieldSpec(
            field_name=definition.field_name,
            field_type=definition.field_type,
            display_name=definition.display_name,
            description=definition.description,
            options=tuple(str(option) for option in definition.options or ()),
        )
        for definition in CustomFieldDefinition.objects.filter(customer_id=customer_id).order_by("order", "id")
    ]


def prompt_passages(*, message: TicketMessage, links: AutomationLinks | None = None) -> list[Passage]:
    """The reply's prompt documents: those linked to the message's topics (and to every topic) plus those of the
    PostTopicDetection hook, for its channel; data-retrieval documents come filled by automation's connector."""
    if links is not None and not links.documents:
        return []
    documents = prompt_documents_build(
        customer_id=message.customer_id,
        channel_id=message.channel_id,
        message=message,
        hook_name="PostTopicDetection",
        topic_ids=list(message.topics.values_list("topic_id", flat=True)),
        static_only=False,
    )
    passages, seen = [], set()
    for document in documents:
        if document["documentID"] in seen or not document["content"].strip():
            continue
        seen.add(document["documentID"])
        passages.append(Passage(title=document["name"], text=document["content"]))
    return passages


_knowledge_indexes: dict[int, tuple[tuple, dict[str, Passage], PassageIndex, float]] = {}
_knowledge_lock = threading.Lock()


def _knowledge_index(customer_id: int) -> tuple[dict[str, Passage], PassageIndex]:
    """The customer's static documents (by title) and the passage index over them, kept per process and rebuilt
    when a document changed (checked with one aggregate query at most every AI_KNOWLEDGE_RECHECK_SECONDS)."""
    documents = Document.objects.filter(
        customer_id=customer_id, is_data_retrieval_process=False, is_function_tool=False
    ).exclude(content="")
    with _knowledge_lock:
        cached = _knowledge_indexes.get(customer_id)
    if cached and time.monotonic() - cached[3] < ai_float("AI_KNOWLEDGE_RECHECK_SECONDS"):
        return cached[1], cached[2]
    version = tuple(documents.aggregate(count=Count("id"), changed=Max("last_modified_date")).values())
    if cached and cached[0] == version:
        with _knowledge_lock:
            _knowledge_indexes[customer_id] = (*cached[:3], time.monotonic())
        return cached[1], cached[2]
    passages = [
        Passage(title=document.name, text=document.content)
        for document in documents.only("id", "name", "content").order_by("id")[:KNOWLEDGE_DOCUMENTS]
    ]
    index = retrieval.index_build(passages)
    by_title = {passage.title: passage for passage in passages}
    with _knowledge_lock:
        _knowledge_indexes[customer_id] = (version, by_title, index, time.monotonic())
    return by_title, index


def knowledge_search(*, customer_id: int, query: str, lang: str) -> tuple[list[Passage], list[retrieval.Hit]]:
    """The tenant's passages best matching `query` (bm25s + embeddings, calibrated scores, best first) and the
    documents they come from (whole, best four: what an OpenAI-compatible model reads)."""
    documents, index = _knowledge_index(customer_id)
    if not query.strip():
        return [], []
    hits = index.search(query, lang=lang or "en", limit=KNOWLEDGE_HITS)
    titles = list(dict.fromkeys(hit.passage.title for hit in hits if hit.score > 0))[:KNOWLEDGE_PASSAGES]
    return [documents[title] for title in titles if title in documents], hits


def function_tool_documents(*, message: TicketMessage, links: AutomationLinks | None = None) -> list[Document]:
    """The functions the model may call while drafting: function-tool documents linked to the message's topics (or
    every topic) and to PostTopicDetection, for its channel."""
    if links is not None and not links.documents:
        return []
    return automation_function_tool_documents(
        customer_id=message.customer_id,
        channel_id=message.channel_id,
        topic_ids=list(message.topics.values_list("topic_id", flat=True)),
        hook_name="PostTopicDetection",
    )


def ticket_history(*, message: TicketMessage) -> list[str]:
    """The ticket's earlier messages, oldest first, as "EndUser: …" / "CustomerRep: …" lines."""
    earlier = (
        TicketMessage.objects.filter(ticket_id=message.ticket_id, created_at__lte=message.created_at)
        .exclude(pk=message.pk)
        .order_by("-created_at", "-id")
        .only("sender_type", "subject", "text_body", "message", "html_body", "ai_modified_response")[
            : ai_int("AI_HISTORY_MESSAGES")
        ]
    )
    lines = []
    for row in reversed(list(earlier)):
        who = "EndUser" if row.sender_type == SenderType.END_USER else "CustomerRep"
        lines.append(f"{who}: {message_text(row)[:2000]}")
    return lines


def end_user_context(*, message: TicketMessage) -> str:
    end_user = message.end_user or message.ticket.end_user
    lines = []
    if end_user is not None:
        details = [
            ("Name", end_user.name),
            ("Company", end_user.company),
            ("Customer type", end_user.customer_type),
            ("Language", end_user.lang),
            ("City", end_user.city),
            ("Country", end_user.country),
            ("Notes", end_user.ai_documentation),
        ]
        lines += [f"{label}: {value}" for label, value in details if value]
    lines.append(ticket_history_summary(ticket=message.ticket))
    return "\n".join(lines)


def end_user_name(message: TicketMessage) -> str:
    end_user = message.end_user or message.ticket.end_user
    return (end_user.name if end_user else "") or message.from_name


def signature_rep(message: TicketMessage, rep=None):
    """Whose signature a draft carries: the caller, else the ticket's rep, else the customer's default rep."""
    return rep or message.ticket.customer_rep or message.customer.default_customer_rep


def signature_for(*, rep, lang: str, html: bool = False) -> str:
    """The rep's signature in `lang` (its per-language signature, stored as ISO 639-1 or 639-3, else the rep's
    default signature)."""
    if rep is None:
        return ""
    signature = None
    for code in dict.fromkeys((lang, iso_639_3(lang))) if lang else ():  # "nl" first, then "nld"
        signature = signature or rep_signature_get(rep=rep, lang=code)
    if html:
        return (signature.email_signature_html if signature else "") or rep.email_signature_html
    return (signature.email_signature_text if signature else "") or rep.email_signature_text


CHANNEL_SIGNATURE_KEY = "emailSignature"  # a channel translation's text signature for its language
CHANNEL_HOLDING_KEY = "aiHoldingMessage"  # a channel translation's line for questions its documents do not answer


def _language_signature(*, rep, lang: str) -> str:
    """The rep's signature for exactly this language (stored as ISO 639-1 or 639-3), else ""."""
    if rep is None or not lang:
        return ""
    for code in dict.fromkeys((lang, iso_639_3(lang))):
        signature = rep_signature_get(rep=rep, lang=code)
        if signature is not None and signature.email_signature_text.strip():
            return signature.email_signature_text
    return ""


def _channel_text(*, message: TicketMessage, lang: str, key: str) -> tuple[str, bool]:
    """One text of the channel's translations for `lang` (its best row) and whether that row is in `lang`."""
    if message.channel_id is None:
        return "", False
    translation = channel_translation_for(channel=message.channel, lang=lang or "")
    text = str((translation.translations or {}).get(key) or "") if translation else ""
    same_language = bool(lang) and translation is not None and iso_639_1(translation.lang) == iso_639_1(lang)
    return text.strip(), same_language


def reply_holding_line(*, message: TicketMessage) -> str:
    """The channel's holding line in the message language ("" when it has none in that language: the provider's
    own then)."""
    text, same_language = _channel_text(message=message, lang=message.lang, key=CHANNEL_HOLDING_KEY)
    return text if same_language else ""


# Business hours live with the channel's widget settings on a higher floor (webwidget.models.ChatWidget for chat):
# the app owning them registers, per channel type, `away_line(channel=Channel, lang=str) -> str` — "" while people
# answer, else when they do ("We are away right now. A person will answer from Monday 09:00 (Europe/Brussels).").
_away_lines: dict = {}


def reply_away_line_register(*, channel_type: str, away_line) -> None:
    """Installs the business-hours away line of a channel type (the last wins)."""
    _away_lines[channel_type] = away_line


def reply_away_line(*, message: TicketMessage) -> str:
    """The channel's away line for the holding reply, in the message language ("" in hours or without hours)."""
    channel = message.channel if message.channel_id else None
    away_line = _away_lines.get(channel.channel_type) if channel is not None else None
    return away_line(channel=channel, lang=message.lang or "") if away_line else ""


def reply_signature(*, message: TicketMessage, rep) -> str:
    """The text signature an e-mail draft ends with, per language: the rep's signature in the message language, else
    the channel's in that language, else the rep's default signature, else the channel's default one."""
    lang = message.lang
    signature = _language_signature(rep=rep, lang=lang)
    if signature:
        return signature
    channel_signature, same_language = _channel_text(message=message, lang=lang, key=CHANNEL_SIGNATURE_KEY)
    if channel_signature and same_language:
        return channel_signature
    return (rep.email_signature_text if rep is not None else "") or channel_signature


def newer_end_user_message_exists(*, message: TicketMessage) -> bool:
    """Whether a later end-user message arrived on the same ticket (it supersedes this one's draft)."""
    return (
        TicketMessage.objects.filter(
            ticket_id=message.ticket_id, incoming=True, sender_type=SenderType.END_USER, pk__gt=message.pk
        )
        .only("id")
        .exists()
    )
