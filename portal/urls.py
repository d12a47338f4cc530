"""Root URLs: every page lives under /en/ or /fr/; machine endpoints do not."""

from allauth.account.decorators import secure_admin_login
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from portal import views

admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

# Our own pages for a missing page and an unexpected failure, in the site's layout and the
# address's language; an unexpected error under /api/ answers a problem body, not the HTML page.
handler404 = views.page_not_found
handler500 = views.server_error

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.switch_language, name="set_language"),
    path("api/v1/", include("portal.api_urls")),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("applications/", include("applications.urls")),
    path("check-status/", include("applications.check_urls")),
    path("processing-times/", include("processing_times.urls")),
    path("notifications/", include("notifications.urls")),
    path("enquiries/", include("enquiries.urls.client")),
    path("documents/", include("enquiries.urls.documents")),
    path("agents/", include("enquiries.urls.agents")),
    path("service-performance/", include("enquiries.urls.performance")),
    path("survey/", include("enquiries.urls.survey")),
    path("delegate/", include("delegations.urls.grantee")),
    path("parliamentary-offices/", include("delegations.urls.directory")),
    path("liaison/", include("delegations.urls.liaison")),
    path("access/", include("delegations.urls.client")),
    path("consent/", include("delegations.urls.consent")),
    path("admin/", admin.site.urls),
)
