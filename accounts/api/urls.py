from django.urls import path

from accounts.api import views
from answerpal.api.routing import ApiRouter

router = ApiRouter()
router.register("CustomerReps", views.CustomerRepViewSet, basename="customer-reps")
router.register("Channels", views.ChannelPhoneLoginViewSet, basename="channel-phone-login")

urlpatterns = [
    path("Auth/login", views.LoginView.as_view(), name="auth-login"),
    path("Auth/phone-login", views.PhoneLoginView.as_view(), name="auth-phone-login"),
    path("Auth/impersonate-by-customer", views.ImpersonateByCustomerView.as_view(), name="auth-impersonate"),
    path("Auth/request-password-reset", views.RequestPasswordResetView.as_view(), name="auth-request-password-reset"),
    path("Auth/reset-password", views.ResetPasswordView.as_view(), name="auth-reset-password"),
    *router.urls,
]
