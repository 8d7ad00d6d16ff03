from django.urls import path

from templates_library import apis, export_api, views

app_name = "templates_library"

urlpatterns: list = [
    path("library/", views.library_index, name="index"),
    path("library/<slug:role_slug>/", views.role_prompts, name="role"),
    path(
        "library/<slug:role_slug>/prompts/<slug:prompt_slug>/",
        views.prompt_detail,
        name="prompt",
    ),
    path("library/<slug:role_slug>/demos/<slug:demo_slug>/", views.demo_detail, name="demo"),
    path("api/exports/", export_api.ExportApi.as_view(), name="api-exports"),
    path("api/rolepacks/", apis.RolePackListApi.as_view(), name="api-rolepacks"),
    path("api/rolepacks/<slug:slug>/", apis.RolePackDetailApi.as_view(), name="api-rolepack"),
    path(
        "api/rolepacks/<slug:slug>/publish/",
        apis.RolePackPublishApi.as_view(),
        name="api-rolepack-publish",
    ),
]
