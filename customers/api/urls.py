from django.urls import path

from answerpal.api.routing import ApiRouter
from customers.api.views import CustomerMeView, CustomerModelsView, CustomerSecretsView, CustomFieldDefinitionViewSet

router = ApiRouter()
router.register("CustomerCustomFields", CustomFieldDefinitionViewSet, basename="customer-custom-fields")

urlpatterns = [
    path("Customers/me", CustomerMeView.as_view(), name="customers-me"),
    path("Customers/models", CustomerModelsView.as_view(), name="customers-models"),
    path("Customers/my-secrets", CustomerSecretsView.as_view(), name="customers-my-secrets"),
    *router.urls,
]
