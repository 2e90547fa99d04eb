from django.apps import AppConfig


class WebWidgetConfig(AppConfig):
    name = "webwidget"
    verbose_name = "Web chat widget"

    def ready(self):
        from ai.selectors import reply_away_line_register
        from answerpal.events import Event, subscribe
        from channels_cfg.models import ChannelType
        from tickets.answer_policy import ai_answers_switch_register
        from webwidget import live, selectors

        ai_answers_switch_register(channel_type=ChannelType.CHAT, switch=selectors.ai_answers_on)
        reply_away_line_register(channel_type=ChannelType.CHAT, away_line=selectors.away_line)

        subscribe(Event.MESSAGE_RECEIVED, live.message_announce)
        subscribe(Event.MESSAGE_SENT, live.message_announce)
        subscribe(Event.AI_REPLY_DRAFTED, live.ai_reply_deliver)
        subscribe(Event.TICKET_ESCALATED, live.ticket_announce)
