from django.urls import path

from . import views, views_edit, views_export, views_jobs, views_preview, views_publish

app_name = "studio"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.pack_new, name="new"),
    path("import/", views_jobs.pack_import, name="import"),
    path("<slug:slug>/", views.pack, name="pack"),
    path("<slug:slug>/enroll/", views_jobs.enroll, name="enroll"),
    path("<slug:slug>/export/", views_export.export, name="export"),
    path("<slug:slug>/export/openwebui/", views_export.push_openwebui, name="push-openwebui"),
    path("<slug:slug>/export/m365/", views_export.publish_m365, name="publish-m365"),
    path("<slug:slug>/edit/<slug:section>/", views_edit.edit, name="edit"),
    path("<slug:slug>/source/", views_edit.source, name="source"),
    path("<slug:slug>/publish/", views_publish.publish, name="publish"),
    path("<slug:slug>/preview/", views_preview.week, name="preview-week"),
    path("<slug:slug>/preview/messages/", views_preview.messages, name="preview-messages"),
    path("<slug:slug>/preview/agent/", views_preview.agent, name="preview-agent"),
    path("<slug:slug>/versions/", views.versions, name="versions"),
    path("<slug:slug>/versions/<int:number>/", views.version, name="version"),
    path("<slug:slug>/versions/<int:number>/draft/", views.draft_from, name="draft-from"),
]
