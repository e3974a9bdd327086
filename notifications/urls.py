"""Pages of the notifications app."""

from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.inbox, name="notifications-inbox"),
    path("notifications/read-all/", views.inbox_read_all, name="notifications-read-all"),
    path("notifications/<id:pk>/open/", views.notification_open, name="notification-open"),
    path("notifications/<id:pk>/read/", views.notification_read, name="notification-read"),
    path("notifications/settings/", views.settings_page, name="notifications-settings"),
    path(
        "notifications/settings/test/<str:channel>/",
        views.settings_test,
        name="notifications-test",
    ),
    path("notifications/settings/mutes/", views.mute_add, name="notifications-mute-add"),
    path(
        "notifications/settings/mutes/remove/",
        views.mute_remove,
        name="notifications-mute-remove",
    ),
    path("notifications/webhooks/", views.webhook_list, name="webhook-list"),
    path("notifications/webhooks/<id:pk>/", views.webhook_detail, name="webhook-detail"),
    path("notifications/webhooks/<id:pk>/action/", views.webhook_action, name="webhook-action"),
]
