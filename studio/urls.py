from django.urls import path

from . import views, views_edit, views_publish

app_name = "studio"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.pack_new, name="new"),
    path("<slug:slug>/", views.pack, name="pack"),
    path("<slug:slug>/edit/<slug:section>/", views_edit.edit, name="edit"),
    path("<slug:slug>/source/", views_edit.source, name="source"),
    path("<slug:slug>/publish/", views_publish.publish, name="publish"),
    path("<slug:slug>/versions/", views.versions, name="versions"),
    path("<slug:slug>/versions/<int:number>/", views.version, name="version"),
    path("<slug:slug>/versions/<int:number>/draft/", views.draft_from, name="draft-from"),
]
