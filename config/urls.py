from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.health import healthz, healthz_usage
from config.legal import privacy, terms
from config.views import SignOutView, home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("healthz/usage", healthz_usage, name="healthz-usage"),
    path("privacy/", privacy, name="privacy"),
    path("terms/", terms, name="terms"),
    # Where the audit trail tells admin requests from the others.
    path(settings.AUDIT_ADMIN_PATH_PREFIX.lstrip("/"), admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", SignOutView.as_view(), name="logout"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its script as a file, so the docs page needs no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("", include("templates_library.urls")),
    path("", include("onboarding.urls")),
    path("", include("insights.urls")),
    path("studio/", include("studio.urls")),
]

handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"

# Single sign-on exists only when configured (OIDC_RP_CLIENT_ID).
if settings.OIDC_ENABLED:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
