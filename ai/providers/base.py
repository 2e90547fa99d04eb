"""The provider interface: every AI operation the platform needs, answered with its usage for the cost ledger."""

from dataclasses import dataclass, field
from typing import Any

from answerpal.api.errors import ApiError, ServiceUnavailable


class AIProviderUnavailable(ServiceUnavailable):
    """No configured provider can serve this operation (503 AIProviderUnavailable)."""

    def __init__(self, detail: str):
        super().__init__("AIProviderUnavailable", detail)


class AIProviderError(ApiError):
    """A provider call failed; `retryable` when a later attempt may succeed (429, 5xx, timeouts)."""

    def __init__(self, code: str, detail: str, *, retryable: bool):
        super().__init__(502, code, detail)
        self.retryable = retryable


class AIRefusal(AIProviderError):
    """The model refused to answer (refusal message or content filter); retrying the same input will not help.
    Carries the usage of the refused call, which is billed all the same."""

    def __init__(self, detail: str, *, input_tokens: int = 0, output_tokens: int = 0):
        super().__init__("AIRefused", detail, retryable=False)
        self.input_tokens, self.output_tokens = input_tokens, output_tokens


@dataclass(frozen=True)
class AIResult:
    """What one provider call produced, with its usage (tokens or seconds) and the prompt that was sent."""

    value: Any
    provider: str
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    seconds: float = 0.0
    prompt: str = ""
    coverage: str = ""  # reply drafts: "Covered" / "NotCovered" when the provider judged it (offline), else ""


@dataclass(frozen=True)
class TopicCandidate:
    topic_id: int
    name: str
    description: str = ""
    examples: tuple[str, ...] = ()  # texts of messages a representative confirmed or corrected to this topic


@dataclass(frozen=True)
class FieldSpec:
    field_name: str
    field_type: str
    display_name: str
    description: str = ""
    options: tuple[str, ...] = ()


class SpamKind:
    """What a message judged by the spam step is; everything but GENUINE gets no reply draft."""

    GENUINE = "genuine"
    SPAM = "spam"
    PHISHING = "phishing"
    NEWSLETTER = "newsletter"
    SALES = "sales"  # unsolicited cold sales / SEO / lead-generation pitches
    AUTOREPLY = "autoreply"  # out-of-office and other automatic replies
    BOUNCE = "bounce"  # delivery status notifications

    AUTOMATED = frozenset({NEWSLETTER, AUTOREPLY, BOUNCE})


@dataclass(frozen=True)
class SpamVerdict:
    is_spam: bool
    score: float  # 0..1
    reasons: tuple[str, ...] = ()
    kind: str = ""  # a SpamKind; "" when the provider does not say

    @property
    def automated(self) -> bool:
        """Mail sent by a machine (auto-reply, bounce, list mail): never answered, even when it is not spam."""
        return self.kind in SpamKind.AUTOMATED


@dataclass(frozen=True)
class SpamMark:
    """A tenant's own decision on an earlier message: a representative marked it spam or not spam."""

    text: str
    is_spam: bool


@dataclass(frozen=True)
class SpamContext:
    """What the tenant knows beyond the message itself: its representatives' spam / not-spam marks and the
    sender's history within the tenant."""

    marks: tuple[SpamMark, ...] = ()
    sender_spam: int = 0  # earlier tickets of this sender that the tenant marked spam
    sender_genuine: int = 0  # earlier tickets of this sender that a representative answered and did not mark spam


@dataclass(frozen=True)
class Passage:
    title: str
    text: str


@dataclass(frozen=True)
class ToolSpec:
    """A function the model may call while drafting (a tenant's function-tool document)."""

    name: str
    description: str
    parameters: dict


@dataclass(frozen=True)
class ReplyRequest:
    """Everything a reply draft is built from; `instructions` are the prompt documents (topics, hooks)."""

    message_text: str
    subject: str = ""
    lang: str = ""
    end_user_name: str = ""
    end_user_context: str = ""
    instructions: tuple[Passage, ...] = ()
    knowledge: tuple[Passage, ...] = ()
    history: tuple[str, ...] = ()  # earlier messages of the ticket, oldest first, "EndUser: ..." / "CustomerRep: ..."
    additional_info: str = ""
    signature: str = ""
    channel_type: str = "Email"
    topics: tuple[str, ...] = field(default_factory=tuple)
    tools: tuple[ToolSpec, ...] = ()
    # ai.providers.retrieval.Hit rows of the tenant's passage index for this message, best first; None when nobody
    # searched (the offline provider then indexes `knowledge` itself).
    knowledge_hits: tuple | None = None
    holding_line: str = ""  # the channel's own words for "not covered, a colleague follows up" in the message language
    away_line: str = ""  # outside the channel's business hours: when a person answers (added to the holding line)


@dataclass(frozen=True)
class RoomReportRequest:
    """One room of a property condition report to write up: the inspector's dictation, the firm's lexicon
    (preferred terms, one "avoid → prefer" per line or a two-column table) and its instructions."""

    room_name: str
    transcript: str
    lexicon: str = ""
    instructions: tuple[Passage, ...] = ()
    report_context: str = ""  # address, case number, parties: for the model's orientation only
    lang: str = ""  # the report's language (nl, en, fr …): headings are in it whatever the dictation's language


class Provider:
    """One AI back end. Operations a provider cannot do raise AIProviderUnavailable."""

    name = ""

    def spam_check(
        self, *, model: str, sender: str, subject: str, text: str, headers: str = "", context: SpamContext | None = None
    ) -> AIResult:
        """`headers` are the raw mail headers ("Name: value" lines) when the message is an e-mail."""
        raise AIProviderUnavailable(f"The {self.name} provider cannot judge spam.")

    def detect_language(self, *, model: str, text: str, prior: tuple[str, ...] = ()) -> AIResult:
        """`prior`: the tenant's languages (ISO 639-1, most used first), preferred for ambiguous and short texts."""
        raise AIProviderUnavailable(f"The {self.name} provider cannot detect languages.")

    def detect_topics(self, *, model: str, text: str, topics: list[TopicCandidate]) -> AIResult:
        raise AIProviderUnavailable(f"The {self.name} provider cannot detect topics.")

    def extract_fields(self, *, model: str, text: str, fields: list[FieldSpec]) -> AIResult:
        raise AIProviderUnavailable(f"The {self.name} provider cannot extract custom fields.")

    def draft_reply(self, *, model: str, request: ReplyRequest, run_tool=None) -> AIResult:
        """`run_tool(name, arguments) -> str` executes a tool the model calls (providers without tool calling
        ignore `request.tools`)."""
        raise AIProviderUnavailable(f"The {self.name} provider cannot draft replies.")

    def summarize(self, *, model: str, text: str, lang: str) -> AIResult:
        raise AIProviderUnavailable(f"The {self.name} provider cannot summarize.")

    def translate(self, *, model: str, text: str, target_lang: str) -> AIResult:
        raise AIProviderUnavailable(f"The {self.name} provider cannot translate; configure an OpenAI-compatible model.")

    def language_for_location(self, *, model: str, country: str, state: str, city: str) -> AIResult:
        raise AIProviderUnavailable(f"The {self.name} provider cannot infer a location's language.")

    def transcribe(self, *, model: str, audio: bytes, filename: str) -> AIResult:
        raise AIProviderUnavailable(
            f"The {self.name} provider cannot transcribe audio; configure an OpenAI-compatible model."
        )

    def write_room_report(self, *, model: str, request: RoomReportRequest) -> AIResult:
        """The room's report text as HTML (headings, lists, tables), in the dictation's language."""
        raise AIProviderUnavailable(f"The {self.name} provider cannot write room reports.")
