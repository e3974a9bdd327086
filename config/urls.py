from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import api_urls as accounts_api_urls
from accounts import scrape as accounts_scrape
from accounts import urls as accounts_urls
from chat import api_urls as chat_api_urls
from chat import urls as chat_urls
from escalations import api_urls as escalations_api_urls
from escalations import urls as escalations_urls
from handoffs import api_urls as handoffs_api_urls
from handoffs import urls as handoffs_urls
from notifications import api_urls as notifications_api_urls
from notifications import urls as notifications_urls
from oncall import api_urls as oncall_api_urls
from oncall import urls as oncall_urls
from projects import api_urls as projects_api_urls
from projects import map_urls as projects_map_urls
from projects import urls as projects_urls
from teams import api_urls as teams_api_urls
from teams import urls as teams_urls

from .health import healthz, readyz

# The admin site signs in through allauth (password + MFA), never its own form.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Baton administration"

api_v1 = [
    *teams_api_urls.urlpatterns,
    *accounts_api_urls.urlpatterns,
    *notifications_api_urls.urlpatterns,
    *oncall_api_urls.urlpatterns,
    *projects_api_urls.urlpatterns,
    *projects_map_urls.api_urlpatterns,
    *escalations_api_urls.urlpatterns,
    *chat_api_urls.urlpatterns,
    *handoffs_api_urls.urlpatterns,
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", accounts_scrape.metrics_view, name="metrics"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(accounts_urls.urlpatterns)),
    path("", include(teams_urls.urlpatterns)),
    path("", include(notifications_urls.urlpatterns)),
    path("", include(oncall_urls.urlpatterns)),
    path("", include(projects_urls.urlpatterns)),
    path("", include(projects_map_urls.urlpatterns)),
    path("", include(escalations_urls.urlpatterns)),
    path("", include(chat_urls.urlpatterns)),
    path("", include(handoffs_urls.urlpatterns)),
]

handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
