"""Prompt documents for a hook or a message: static content with placeholders filled, and data-retrieval
documents answered by the tenant's API through the connector."""

from jsonschema import Draft202012Validator

from automation.connector import ConnectorError, connector_call, definition_for, response_values
from automation.context import message_context, message_for_context, placeholder_values
from automation.selectors import prompt_document_links
from documents.placeholders import render_placeholders
from tickets.models import TicketMessage

MAX_RETRIEVED_CHARS = 20000


def _retrieved_content(document, customer, context: dict, *, customer_id: int, message_id: int | None) -> str:
    """The document's content template filled with the API response (`{{response.…}}`), or the raw response."""
    try:
        response = connector_call(
            definition=definition_for(document, customer),
            context=context,
            customer_id=customer_id,
            document_id=document.pk,
            message_id=message_id,
        )
    except ConnectorError as error:
        return f"[Data retrieval failed: {error.code}]"
    if not response.ok:
        return f"[Data retrieval failed: HTTP {response.status_code}]"
    values = response_values(response.data, document.field_mapping) if document.field_mapping else {}
    filled = {**context, "response": response.data if response.data is not None else response.text, **values}
    if document.content.strip():
        return render_placeholders(document.content, filled)
    return response.text[:MAX_RETRIEVED_CHARS]


def prompt_documents_build(
    *,
    customer_id: int,
    channel_id: int | None,
    hook_name: str | None,
    message: TicketMessage | None,
    static_only: bool,
    topic_ids: list[int] | None = None,
) -> list[dict]:
    """PromptDocument dicts (documentID, name, content, contentType, includeInRealtimeInstructions, imageUrls);
    each document once, in link order; function tools are not prompt content and are left out."""
    links = prompt_document_links(
        customer_id=customer_id,
        channel_id=channel_id,
        hook_name=hook_name,
        topic_ids=topic_ids,
    ).select_related("document__customer")
    if message is not None:
        loaded = message_for_context(customer_id=customer_id, message_id=message.pk)
        context = {**placeholder_values(customer_id=customer_id, message_id=None, ticket_id=None)}
        context.update(message_context(loaded))
    else:
        context = placeholder_values(customer_id=customer_id, message_id=None, ticket_id=None)
    documents, seen = [], set()
    for link in links:
        document = link.document
        if document.pk in seen or document.is_function_tool:
            continue
        if document.is_data_retrieval_process and static_only:
            continue
        seen.add(document.pk)
        if document.is_data_retrieval_process:
            content = _retrieved_content(
                document,
                document.customer,
                context,
                customer_id=customer_id,
                message_id=message.pk if message else None,
            )
        else:
            content = render_placeholders(document.content, context)
        documents.append(
            {
                "documentID": document.pk,
                "name": document.name,
                "content": content,
                "contentType": document.content_type,
                "includeInRealtimeInstructions": document.include_in_realtime_instructions,
                "isDataRetrievalProcess": document.is_data_retrieval_process,
                "imageUrls": [],
            }
        )
    return documents


def function_tool_documents(*, customer_id: int, channel_id: int | None, topic_ids: list[int], hook_name=None):
    """The function-tool documents linked to the topics (or every topic / the hook) on the channel, once each."""
    links = prompt_document_links(
        customer_id=customer_id,
        channel_id=channel_id,
        hook_name=hook_name,
        topic_ids=topic_ids,
    ).filter(document__is_function_tool=True)
    return list({link.document_id: link.document for link in links}.values())


def function_tool_call(*, document, message: TicketMessage | None, arguments: dict) -> str:
    """Runs a function-tool document for an AI tool call: the arguments must match its parameter schema and are
    available to its templates as `{{arguments.<name>}}`; returns the response text (or the filled content).
    Raises ConnectorError (InvalidArguments, BlockedDestination, Timeout, …)."""
    schema = document.function_parameters_schema or {"type": "object"}
    errors = sorted(Draft202012Validator(schema).iter_errors(arguments), key=lambda error: list(error.path))
    if errors:
        raise ConnectorError("InvalidArguments", f"The tool arguments do not match the schema: {errors[0].message}.")
    context = placeholder_values(customer_id=document.customer_id, message_id=None, ticket_id=None)
    if message is not None:
        context.update(message_context(message_for_context(customer_id=document.customer_id, message_id=message.pk)))
    context["arguments"] = arguments
    if not document.api_endpoint:
        return render_placeholders(document.content, context)
    response = connector_call(
        definition=definition_for(document, document.customer),
        context=context,
        customer_id=document.customer_id,
        document_id=document.pk,
        message_id=message.pk if message else None,
    )
    if not response.ok:
        raise ConnectorError("HttpError", f"The API answered HTTP {response.status_code}.")
    if document.content.strip():
        values = response_values(response.data, document.field_mapping) if document.field_mapping else {}
        return render_placeholders(document.content, {**context, "response": response.data, **values})
    return response.text[:MAX_RETRIEVED_CHARS]
