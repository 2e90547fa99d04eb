"""The FunctionTool action type: runs one of the tenant's function-tool documents on a message, with arguments the
AI provider produces from the message, its ticket and its end user.

Semantics of a FunctionTool action run on a message:
- Documents: the function-tool documents that apply to the message, the same selection the reply draft offers the
  model (linked to the message's topics, to every topic or to PostTopicDetection, for its channel). An action names
  one document by writing `documentID: <id>` (or `documentID=<id>`) in its description; that document is used even
  when it is not linked, as long as it is a function tool of the same customer (else the run Fails,
  FunctionToolNotFound). No named document and none applies → the run is Skipped.
- Arguments: the provider serving custom-field extraction on the message's channel produces them. OpenAI-compatible:
  one completion forced to call the document's function (its functionParametersSchema as parameters; with several
  documents and none named, the model must call one of them). Offline provider: each schema property is filled from
  the message's customFieldsData key of that name, else the end user's field of that name, else the first match in
  the subject and text of the property's `pattern`, of an e-mail address (format email / names with "mail"), of an
  order or reference number (names with order, number, ref, id) or of a phone number, else one of its `enum`
  values named in the text, else its `default`; with several documents the first whose required properties are
  all filled is used. Either way the call writes a cost row (purpose `functionTool`).
- A required property the provider could not fill Fails the run (MissingArguments, naming the properties).
- The document runs through automation's `function_tool_call` (schema-checked arguments, the connector's guards,
  the document's toolCallTimeoutSeconds, a ConnectorCall row); a connector failure Fails the run with its code.
- Result: the run's recorded result is "<document name>: <response text>" (what later steps and the message
  detail's `actions` show). When the response is a JSON value and the document has response field mappings
  (fieldMapping), the mapped values are merged into the message's customFieldsData, like an ApiCall action's.
"""

import json
import re
import time
from dataclasses import dataclass, replace

from ai import selectors
from ai.providers import Purpose, Resolved, resolve
from ai.providers.base import AIProviderError, AIProviderUnavailable, AIResult
from ai.providers.local import LOCAL
from ai.providers.openai_compatible import OPENAI, OpenAIProvider
from ai.services import ai_call, tool_name
from automation.connector import ConnectorError, response_values
from automation.context import message_context, message_for_context
from automation.prompt_documents import function_tool_call
from automation.registry import ActionContext, ActionResult, ActionStatus
from documents.models import Document
from tickets import services as ticket_services

PURPOSE = "functionTool"
RESULT_CHARS = 3500
_NAMED_DOCUMENT = re.compile(r"\bdocument\s*id\s*[:=#]\s*(\d+)", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+?\d[\d\s./-]{6,}\d")
# "order 4411", "#A-2024-17", "ref: XK99812": a token starting with (up to four letters and) a digit, at least
# three characters; one after such a label wins over the first bare one.
_TOKEN = r"([A-Z]{0,4}-?\d[\dA-Z-]{2,})\b"
_LABELLED_REFERENCE = re.compile(
    r"(?:#\s*|\b(?:order|bestelling|commande|ref(?:erence)?|nr|no|number|nummer|tracking)\b\W{0,3})" + _TOKEN,
    re.IGNORECASE,
)
_REFERENCE = re.compile(r"\b" + _TOKEN, re.IGNORECASE)
_REFERENCE_NAMES = ("order", "number", "nr", "ref", "id", "code", "tracking")


@dataclass(frozen=True)
class ToolArguments:
    """The document the provider chose and the arguments it produced for it."""

    document: Document
    arguments: dict


def named_document_id(action) -> int | None:
    """The document id an action's description names (`documentID: 12`), if any."""
    found = _NAMED_DOCUMENT.search(action.description or "")
    return int(found.group(1)) if found else None


def _documents(message, action) -> list[Document]:
    """The named function-tool document (raises ConnectorError when it is not one of the customer's), else the
    documents the reply draft would offer."""
    document_id = named_document_id(action)
    if document_id is None:
        return selectors.function_tool_documents(message=message)
    document = (
        Document.objects.select_related("customer")
        .filter(customer_id=message.customer_id, pk=document_id, is_function_tool=True)
        .first()
    )
    if document is None:
        raise ConnectorError(
            "FunctionToolNotFound",
            f"Document {document_id} named by the action is not a function tool of this customer.",
        )
    return [document]


def _schema(document: Document) -> dict:
    return document.function_parameters_schema or {"type": "object", "properties": {}}


def missing_required(document: Document, arguments: dict) -> list[str]:
    """The schema's required properties that have no value in `arguments`."""
    return [name for name in _schema(document).get("required", []) if arguments.get(name) in (None, "")]


# --- offline provider -----------------------------------------------------------------------------------------------


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _typed(value, prop: dict):
    """`value` in the property's JSON type when it converts cleanly, else unchanged (the schema check decides)."""
    kind = prop.get("type")
    if isinstance(value, str) and kind in ("integer", "number"):
        cleaned = value.strip().lstrip("#")
        try:
            return int(cleaned) if kind == "integer" else float(cleaned.replace(",", "."))
        except ValueError:
            return value
    if kind == "string" and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _from_text(name: str, prop: dict, text: str):
    key = _key(name)
    if prop.get("pattern"):
        try:  # an anchored pattern describes a whole value: look for it as a whole word
            found = re.search(rf"(?<!\w)(?:{prop['pattern'].lstrip('^').rstrip('$')})(?!\w)", text)
        except re.error:
            found = None
        if found:
            return found.group(0)
    if prop.get("format") == "email" or "mail" in key:
        found = _EMAIL.search(text)
        return found.group(0) if found else None
    if "phone" in key or "tel" in key or "mobile" in key:
        found = _PHONE.search(text)
        return re.sub(r"[\s./-]", "", found.group(0)) if found else None
    if any(part in key for part in _REFERENCE_NAMES):
        text = _EMAIL.sub(" ", text)
        found = _LABELLED_REFERENCE.search(text) or _REFERENCE.search(text)
        return found.group(1) if found else None
    for option in prop.get("enum") or ():
        if str(option).lower() in text.lower():
            return option
    return None


def local_arguments(document: Document, *, context: dict, text: str) -> dict:
    """Fills the schema's properties from customFieldsData, the end user's fields and patterns in `text`."""
    custom = {_key(name): value for name, value in context["customFields"].items()}
    end_user = {_key(name): value for name, value in context["endUser"].items()}
    arguments = {}
    for name, prop in (_schema(document).get("properties") or {}).items():
        prop = prop if isinstance(prop, dict) else {}
        value = custom.get(_key(name))
        if value in (None, ""):
            value = end_user.get(_key(name))
        if value in (None, ""):
            value = _from_text(name, prop, text)
        if value in (None, ""):
            value = prop.get("default")
        if value not in (None, ""):
            arguments[name] = _typed(value, prop)
    return arguments


def _local_call(documents: list[Document], context: dict, text: str, model: str) -> AIResult:
    candidates = [
        ToolArguments(document, local_arguments(document, context=context, text=text)) for document in documents
    ]
    chosen = next((item for item in candidates if not missing_required(item.document, item.arguments)), candidates[0])
    return AIResult(value=chosen, provider=LOCAL, model=model, prompt=text)


# --- OpenAI-compatible provider -------------------------------------------------------------------------------------


def _context_text(message, context: dict) -> str:
    lines = [f"Subject: {message.subject}", f"Message:\n{selectors.message_text(message)}"]
    if context["customFields"]:
        lines.append(f"Known fields: {json.dumps(context['customFields'], ensure_ascii=False, default=str)}")
    end_user = {name: value for name, value in context["endUser"].items() if value not in (None, "") and name != "id"}
    if end_user:
        lines.append(f"End user: {json.dumps(end_user, ensure_ascii=False)}")
    lines.append(selectors.end_user_context(message=message))
    return "\n\n".join(line for line in lines if line.strip())


def _parsed_call(answer, by_name: dict) -> "ToolArguments | AIProviderError":
    """The called document and its arguments, or the error to raise once the call is billed."""
    call = next((call for call in answer.tool_calls or () if call.function.name in by_name), None)
    if call is None:
        return AIProviderError("AIInvalidOutput", "The AI model did not call the function.", retryable=False)
    try:
        arguments = json.loads(call.function.arguments or "{}")
    except json.JSONDecodeError:
        arguments = None
    if not isinstance(arguments, dict):
        return AIProviderError("AIInvalidOutput", "The function arguments were not a JSON object.", retryable=False)
    return ToolArguments(by_name[call.function.name], {k: v for k, v in arguments.items() if v is not None})


def _openai_call(provider: OpenAIProvider, model: str, documents: list[Document], text: str) -> AIResult:
    """One completion forced to call a function (the only document's, or any of them), with its usage; an answer
    without a usable call comes back as the error to raise, so the call is billed first."""
    by_name = {tool_name(document): document for document in documents}
    tools = [
        {
            "type": "function",
            "function": {
                "name": name,
                "description": (document.description or document.name)[:1000],
                "parameters": _schema(document),
            },
        }
        for name, document in by_name.items()
    ]
    messages = [
        {
            "role": "system",
            "content": "You fill in the arguments of a function a customer-service automation calls for the message "
            "below. Use only values the message, the ticket or the end user give; leave out a property they do not "
            "give rather than guess it.",
        },
        {"role": "user", "content": text},
    ]
    tool_choice = {"type": "function", "function": {"name": next(iter(by_name))}} if len(by_name) == 1 else "required"
    started = time.perf_counter()
    answer, usage = provider.forced_tool_call(model=model, messages=messages, tools=tools, tool_choice=tool_choice)
    return AIResult(
        value=_parsed_call(answer, by_name),
        provider=OPENAI,
        model=model,
        input_tokens=getattr(usage, "prompt_tokens", 0) or 0,
        output_tokens=getattr(usage, "completion_tokens", 0) or 0,
        seconds=time.perf_counter() - started,
        prompt=f"{messages[0]['content']}\n\n{text}",
    )


def tool_arguments_produce(*, message, documents: list[Document]) -> ToolArguments:
    """Asks the provider serving the message's channel for the arguments of one of `documents`; one cost row."""
    loaded = message_for_context(customer_id=message.customer_id, message_id=message.pk)
    context = message_context(loaded)
    resolved: Resolved = resolve(
        message.customer, Purpose.CUSTOM_FIELDS, channel_type=selectors.channel_type_of(message)
    )
    resolved = replace(resolved, purpose=PURPOSE)

    def call(provider, model: str) -> AIResult:
        if isinstance(provider, OpenAIProvider):
            return _openai_call(provider, model, documents, _context_text(message, context))
        text = f"{message.subject}\n{selectors.message_text(message)}"
        return _local_call(documents, context, text, model)

    result = ai_call(resolved, customer_id=message.customer_id, message_id=message.pk, call=call)
    if isinstance(result.value, AIProviderError):  # an unusable answer is billed, then fails the run
        raise result.value
    return result.value


# --- the action -----------------------------------------------------------------------------------------------------


def _mapped_fields(message, document: Document, response_text: str) -> dict:
    """The document's response field mappings applied to a JSON response, merged into customFieldsData."""
    if not document.field_mapping:
        return {}
    try:
        data = json.loads(response_text)
    except ValueError:
        return {}
    values = response_values(data, document.field_mapping)
    if values:
        fields = {**(message.custom_fields_data or {}), **values}
        ticket_services.message_update(message=message, changes={"custom_fields_data": fields})
    return values


def function_tool_action(*, context: ActionContext) -> ActionResult:
    """Runs a function-tool document with AI-produced arguments; records its response as the run's result and maps
    response fields into customFieldsData."""
    message = selectors.message_for_ai(message_id=context.message_id, customer_id=context.customer_id)
    if message is None:
        return ActionResult.failed("The message no longer exists.", stop_chain=True)
    try:
        documents = _documents(message, context.action)
    except ConnectorError as error:
        return ActionResult.failed(f"{error.code}: {error.detail}")
    if not documents:
        return ActionResult(message="No function tool applies to this message.", status=ActionStatus.SKIPPED)
    try:
        produced = tool_arguments_produce(message=message, documents=documents)
    except (AIProviderError, AIProviderUnavailable) as error:
        return ActionResult.failed(f"{error.code}: {error.detail}")
    document, arguments = produced.document, produced.arguments
    missing = missing_required(document, arguments)
    if missing:
        return ActionResult.failed(
            f"MissingArguments: the message does not give {', '.join(missing)}, required by the function tool "
            f"'{document.name}'.",
            details={"documentId": document.pk, "arguments": arguments},
        )
    try:
        response_text = function_tool_call(document=document, message=message, arguments=arguments)
    except ConnectorError as error:
        return ActionResult.failed(
            f"{error.code}: {error.detail}", details={"documentId": document.pk, "arguments": arguments}
        )
    try:
        mapped = _mapped_fields(message, document, response_text)
    except ConnectorError as error:
        return ActionResult.failed(f"{error.code}: {error.detail}")
    suffix = f" (set {', '.join(sorted(mapped))})" if mapped else ""
    return ActionResult(
        message=f"{document.name}: {response_text[:RESULT_CHARS]}{suffix}",
        details={"documentId": document.pk, "arguments": arguments, "customFields": sorted(mapped)},
    )
