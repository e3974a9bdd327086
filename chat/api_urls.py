"""/api/v1/ routes of the chat app."""

from django.urls import path

from . import api

R = "rooms/<id:room_id>/"

urlpatterns = [
    path("rooms/", api.RoomListView.as_view(), name="api-rooms"),
    path("rooms/direct/", api.DirectView.as_view(), name="api-room-direct"),
    path(R, api.RoomDetailView.as_view(), name="api-room"),
    path(R + "messages/", api.MessageListView.as_view(), name="api-room-messages"),
    path(R + "messages/<id:seq>/", api.MessageDetailView.as_view(), name="api-room-message"),
    path(R + "read/", api.ReadView.as_view(), name="api-room-read"),
    path(R + "leave/", api.LeaveView.as_view(), name="api-room-leave"),
]
