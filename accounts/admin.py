"""Operator back-office for representatives, signatures and reset tokens (impersonations: the audit trail)."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm

from accounts import lockout, services
from accounts.models import CustomerRep, PasswordResetToken, RepSignature
from answerpal.api.errors import ApiError


class RepSignatureInline(admin.TabularInline):
    model = RepSignature
    fields = ["lang", "email_signature_html", "email_signature_text"]
    extra = 0


class CustomerRepChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = CustomerRep
        fields = "__all__"


class CustomerRepCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = CustomerRep
        fields = ["customer", "username", "role"]

    def clean_username(self):
        # Usernames are unique per customer, not globally: the model's constraint checks that.
        return self.cleaned_data.get("username")


class CustomerRepPasswordChangeForm(AdminPasswordChangeForm):
    """Django's admin password form; a new password also revokes the rep's issued tokens."""

    def set_password_and_save(self, user, commit=True, **kwargs):
        user.token_version += 1
        return super().set_password_and_save(user, commit=commit, **kwargs)


@admin.register(CustomerRep)
class CustomerRepAdmin(UserAdmin):
    """Representatives of every customer and the platform operators (customer empty)."""

    form = CustomerRepChangeForm
    add_form = CustomerRepCreationForm
    change_password_form = CustomerRepPasswordChangeForm
    list_display = [
        "username",
        "name",
        "email",
        "customer",
        "role",
        "is_active",
        "is_staff",
        "last_login",
        "deleted_at",
    ]
    list_select_related = ["customer"]
    list_filter = ["customer", "role", "is_active", "is_staff", ("deleted_at", admin.EmptyFieldListFilter)]
    search_fields = ["username", "name", "email", "customer__name", "customer__hostname"]
    ordering = ["customer__name", "username"]
    raw_id_fields = ["customer"]
    readonly_fields = ["last_login", "date_joined", "deleted_at", "token_version"]
    filter_horizontal = ["groups", "user_permissions"]
    inlines = [RepSignatureInline]
    actions = ["deactivate_selected", "activate_selected", "unlock_selected"]
    fieldsets = [
        (None, {"fields": ["customer", "username", "password", "role"]}),
        ("Profile", {"fields": ["name", "email", "phone_number", "other_details"]}),
        ("Default signature", {"fields": ["email_signature_html", "email_signature_text"], "classes": ["collapse"]}),
        (
            "Status",
            {"fields": ["is_active", "deleted_at", "token_version", "last_login", "date_joined"]},
        ),
        (
            "Platform operator",
            {"fields": ["is_staff", "is_superuser", "groups", "user_permissions"], "classes": ["collapse"]},
        ),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["customer", "username", "role", "usable_password", "password1", "password2"],
            },
        ),
    ]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # the add form is username + password only

    def save_formset(self, request, form, formset, change):
        for signature in formset.save(commit=False):
            signature.customer_id = form.instance.customer_id
            signature.save()
        for signature in formset.deleted_objects:
            signature.delete()

    def _apply(self, request, queryset, service, verb: str) -> None:
        done, refused = 0, []
        for rep in queryset.filter(customer__isnull=False, deleted_at__isnull=True):
            try:
                service(rep=rep)
            except ApiError as error:
                refused.append(f"{rep.username} ({rep.customer}): {error.detail}")
            else:
                done += 1
        self.message_user(request, f"{done} representative(s) {verb}.", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description="Deactivate selected representatives (revokes their tokens)")
    def deactivate_selected(self, request, queryset):
        self._apply(request, queryset, services.rep_deactivate, "deactivated")

    @admin.action(description="Activate selected representatives (within the plan's user limit)")
    def activate_selected(self, request, queryset):
        self._apply(request, queryset, services.rep_activate, "activated")

    @admin.action(description="Unlock sign-in of selected representatives (clears failed attempts; audited)")
    def unlock_selected(self, request, queryset):
        unlocked = sum(
            lockout.rep_unlock(
                rep=rep,
                actor=f"operator {request.user.username}",
                reason="Unlocked in the admin.",
            )
            for rep in queryset.select_related("customer")
        )
        self.message_user(request, f"{unlocked} representative(s) unlocked.", messages.SUCCESS)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PasswordResetToken)
class PasswordResetTokenAdmin(ReadOnlyAdmin):
    list_display = ["rep", "customer", "created_at", "expires_at", "used_at"]
    list_select_related = ["rep__customer"]
    list_filter = [("rep__customer", admin.RelatedOnlyFieldListFilter), ("used_at", admin.EmptyFieldListFilter)]
    search_fields = ["rep__username", "rep__email", "rep__customer__name"]
    exclude = ["token"]

    @admin.display(ordering="rep__customer__name")
    def customer(self, token):
        return token.rep.customer
