"""Routes of the ownership map: its pages (urlpatterns) and its API (api_urlpatterns, under
/api/v1/). The pages live under /ownership-map/ (not /projects/map/, which a project whose
slug is "map" would own)."""

from django.urls import path

from . import map_api
from .views import map as views

urlpatterns = [
    path("ownership-map/", views.ownership_map, name="ownership-map"),
    path("ownership-map/table/", views.ownership_map_table, name="ownership-map-table"),
    path("ownership-map/export.csv", views.ownership_map_csv, name="ownership-map-csv"),
    path("ownership-map/risks/", views.ownership_map_risks, name="ownership-map-risks"),
    path("ownership-map/sun/", views.ownership_map_sun, name="ownership-map-sun"),
]

api_urlpatterns = [
    path("ownership-map/", map_api.OwnershipMapView.as_view(), name="api-ownership-map"),
    path("ownership-map/sun/", map_api.SunMapView.as_view(), name="api-ownership-map-sun"),
]
