"""Provider choice per purpose: the customer's default model slot (or an explicit override), else the
platform settings (AI_PROVIDER, OPENAI_API_KEY, OPENAI_BASE_URL); the offline provider is the default."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from ai.conf import ai_setting
from ai.providers.base import AIProviderUnavailable, Provider
from ai.providers.local import LOCAL, LocalProvider
from ai.providers.openai_compatible import OPENAI, OpenAIProvider
from answerpal.api.errors import field_error


class Purpose:
    """What a call is for; also the `purpose` of its cost-ledger row."""

    SPAM = "spam"
    LANGUAGE = "language"
    TOPICS = "topics"
    CUSTOM_FIELDS = "customFields"
    REPLY = "reply"
    SUMMARY = "summary"
    TRANSLATE = "translate"
    LOCATION_LANGUAGE = "locationLanguage"
    TRANSCRIBE = "transcribe"
    PLACE_REPORT = "placeReport"


# Purpose → the Customer field holding its default model; reply and custom fields follow the channel.
_SLOTS = {
    Purpose.SPAM: "default_spam_model",
    Purpose.TOPICS: "default_topic_model",
    Purpose.SUMMARY: "default_summary_model",
    Purpose.TRANSCRIBE: "default_transcribe_model",
    # A room write-up condenses a dictation into a document, like a summary: the same model serves it.
    Purpose.PLACE_REPORT: "default_summary_model",
}
_CHANNEL_SLOTS = {
    "Email": ("default_email_model", "default_email_model_internet_access_enabled"),
    "Chat": ("default_webchat_model", "default_webchat_model_internet_access_enabled"),
    "WhatsApp": ("default_webchat_model", "default_webchat_model_internet_access_enabled"),
    "Teams": ("default_webchat_model", "default_webchat_model_internet_access_enabled"),
    "Phone": ("default_call_model", "default_call_model_internet_access_enabled"),
}
# Operations the offline provider answers better than any LLM call would (no cost, no network).
_ALWAYS_LOCAL = {Purpose.LANGUAGE}


@dataclass(frozen=True)
class Resolved:
    provider: Provider
    model_name: str
    ai_model: object | None  # customers.AIModel serving the call, when the catalogue names one
    purpose: str

    @property
    def provider_name(self) -> str:
        return self.provider.name


def _default_model(purpose: str) -> str:
    if purpose == Purpose.TRANSCRIBE:
        return ai_setting("AI_TRANSCRIBE_MODEL")
    if purpose in (Purpose.TRANSLATE, Purpose.LOCATION_LANGUAGE):
        return ai_setting("AI_TRANSLATION_MODEL")
    return ai_setting("AI_DEFAULT_MODEL")


def override_model_get(*, customer_id: int, model_id: int):
    """An active model the customer may use (global or its own), else 400 on overrideModelID."""
    from customers.models import AIModel

    model = AIModel.objects.filter(
        Q(customer__isnull=True) | Q(customer_id=customer_id), pk=model_id, is_active=True
    ).first()
    if model is None:
        raise field_error("overrideModelID", "No active model with this id is available to this customer.")
    return model


def resolve(customer, purpose: str, *, channel_type: str = "", override_model=None) -> Resolved:
    """The provider and model serving `purpose` for `customer` (a Customer with its slot models loaded)."""
    if purpose in _ALWAYS_LOCAL:
        return Resolved(LocalProvider(), LOCAL, None, purpose)
    internet = False
    if purpose in (Purpose.REPLY, Purpose.CUSTOM_FIELDS):
        slot, internet_flag = _CHANNEL_SLOTS.get(channel_type, _CHANNEL_SLOTS["Email"])
        internet = purpose == Purpose.REPLY and getattr(customer, internet_flag)
    else:
        slot = _SLOTS.get(purpose)
    model = override_model or (getattr(customer, slot) if slot else None)
    if model is not None:
        if model.provider == LOCAL or model.model_name.lower().startswith(LOCAL):
            return Resolved(LocalProvider(), model.model_name, model, purpose)
        return Resolved(
            _openai_for(customer, web_search=internet and model.supports_internet_access),
            model.model_name,
            model,
            purpose,
        )
    if customer.openai_api_key or settings.AI_PROVIDER == OPENAI:
        return Resolved(_openai_for(customer, web_search=False), _default_model(purpose), None, purpose)
    return Resolved(LocalProvider(), LOCAL, None, purpose)


def _openai_for(customer, *, web_search: bool) -> OpenAIProvider:
    api_key = customer.openai_api_key or settings.OPENAI_API_KEY
    base_url = customer.openai_base_url or settings.OPENAI_BASE_URL
    if not api_key and not base_url:
        raise AIProviderUnavailable(
            "An OpenAI model is selected but neither the customer nor the platform has an OpenAI API key or base URL."
        )
    return OpenAIProvider(api_key=api_key, base_url=base_url, web_search=web_search)
