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
    path(R + "topics/", api.TopicListView.as_view(), name="api-room-topics"),
    path(R + "topics/<id:topic_id>/", api.TopicDetailView.as_view(), name="api-room-topic"),
    path(R + "topics/<id:topic_id>/read/", api.TopicReadView.as_view(), name="api-room-topic-read"),
    path(R + "held/", api.HeldListView.as_view(), name="api-room-held"),
    path(R + "held/<id:held_id>/", api.HeldDetailView.as_view(), name="api-room-held-one"),
    path("chat/search/", api.SearchView.as_view(), name="api-chat-search"),
]
