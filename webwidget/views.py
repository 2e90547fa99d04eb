"""The demo page of the embedded default (/demo/chat, only with DEBUG or WEBWIDGET_DEMO): a plain page of the
platform carrying the widget snippet of the oldest active chat channel that allows the page's host, so a newcomer
sees the whole loop (ask, AI answer, escalate, the ticket in the admin and the API)."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render

from channels_cfg.snippet import widget_snippet
from webwidget.selectors import demo_channel


def demo_chat(request):
    if not (settings.DEBUG or settings.WEBWIDGET_DEMO):
        raise Http404("The demo page is off (WEBWIDGET_DEMO).")
    channel = demo_channel(host=request.get_host())
    base = f"{request.scheme}://{request.get_host()}"
    context = {"channel": channel, "snippet": widget_snippet(channel, base_url=base) if channel else "", "base": base}
    return render(request, "webwidget/demo_chat.html", context)
