"""/api/v1/ routes of the notifications app."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("notifications", api.NotificationViewSet, basename="api-notification")
router.register("notification-rules", api.NotificationRuleViewSet, basename="api-notification-rule")
router.register("notification-mutes", api.NotificationMuteViewSet, basename="api-notification-mute")
router.register("webhooks", api.WebhookViewSet, basename="api-webhook")

urlpatterns = [*router.urls]
