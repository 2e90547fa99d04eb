"""Operator back-office for channel configuration; secrets are never shown, only whether they are set."""

from django import forms
from django.contrib import admin

from answerpal.api.fields import mask_secret
from channels_cfg.models import Channel, ChannelFolder, ChannelTranslation
from channels_cfg.snippet import widget_snippet

_SECRETS = ("override_graph_client_secret", "override_imap_password", "override_smtp_password")


class ChannelAdminForm(forms.ModelForm):
    """Secret inputs start empty; leaving one empty keeps the stored value."""

    class Meta:  # the model and fields come from ChannelAdmin
        widgets = {name: forms.PasswordInput(render_value=False) for name in _SECRETS}

    def clean(self):
        cleaned = super().clean()
        for name in _SECRETS:
            if not cleaned.get(name) and self.instance.pk:
                cleaned[name] = getattr(self.instance, name)
        return cleaned


class ChannelFolderInline(admin.TabularInline):
    model = ChannelFolder
    fields = ["folder_id", "folder_name", "auto_retrieve_emails"]
    extra = 0


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    form = ChannelAdminForm
    list_display = ["name", "customer", "channel_type", "email_address", "phone_number", "is_active", "deleted_at"]
    list_select_related = ["customer"]
    list_filter = ["channel_type", "is_active", "email_provider_type", ("customer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "email_address", "phone_number", "token", "customer__name"]
    raw_id_fields = ["customer"]
    readonly_fields = ["token", "widget_snippet", "created_at", "updated_at", "secrets_set", "phone_login_enabled"]
    inlines = [ChannelFolderInline]

    @admin.display(description="Widget snippet (chat channels: paste on the site)")
    def widget_snippet(self, channel):
        return widget_snippet(channel)

    @admin.display(description="Phone sign-in (device secret set)", boolean=True)
    def phone_login_enabled(self, channel):
        return bool(channel.phone_login_secret_hash)

    @admin.display(description="Secrets")
    def secrets_set(self, channel):
        shown = [f"{name}: {mask_secret(getattr(channel, name)) or '-'}" for name in _SECRETS]
        return "; ".join(shown)


@admin.register(ChannelFolder)
class ChannelFolderAdmin(admin.ModelAdmin):
    list_display = ["folder_name", "folder_id", "channel", "customer", "auto_retrieve_emails", "created_at"]
    list_select_related = ["channel", "customer"]
    list_filter = ["auto_retrieve_emails", ("customer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["folder_name", "folder_id", "channel__name", "channel__email_address"]
    raw_id_fields = ["customer", "channel"]


@admin.register(ChannelTranslation)
class ChannelTranslationAdmin(admin.ModelAdmin):
    list_display = ["channel", "lang", "is_default", "customer", "updated_at"]
    list_select_related = ["channel", "customer"]
    list_filter = ["lang", "is_default", ("customer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["lang", "channel__name"]
    raw_id_fields = ["customer", "channel"]
