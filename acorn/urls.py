from django.urls import include, path

from acorn.api import api
from acorn.core import views as core_views
from acorn.ops import views as ops_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("help/", core_views.help_page, name="help"),
    path("healthz", ops_views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("", include("acorn.accounts.urls")),
    path("children/", include("acorn.children.urls")),
    path("", include("acorn.journal.urls")),
    path("", include("acorn.org.urls")),
    path("", include("acorn.suitability.urls")),
    path("", include("acorn.audit.urls")),
    path("", include("acorn.devices.urls")),
    path("", include("acorn.eyfs.urls")),
    path("", include("acorn.reports.urls")),
    path("", include("acorn.leaving.urls")),
    path("", include("acorn.notices.urls")),
]

handler403 = core_views.forbidden
handler404 = core_views.not_found
handler500 = core_views.server_error
