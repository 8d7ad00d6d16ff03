from django.urls import path, re_path

from . import apis, apis_enroll, checkin_views, views, views_team

app_name = "onboarding"

urlpatterns: list = [
    # Sign-in by email link, the checklist, the manager view
    path("accounts/email-link/", views.email_link_request, name="email-link"),
    path(
        "accounts/email-link/<str:uidb64>/<str:token>/",
        views.email_link_confirm,
        name="email-link-confirm",
    ),
    path("my/", views.my, name="my"),
    path("my/steps/<int:step_id>/done/", views.step_done, name="step-done"),
    path("my/steps/<int:step_id>/undo/", views.step_undo, name="step-undo"),
    path("my/fvm/", views.fvm_record, name="fvm-record"),
    path("my/first-value/", views.first_value, name="first-value"),
    path("my/first-value/correct/", views.fvm_correct, name="fvm-correct"),
    path("team/", views.team, name="team"),
    path("team/<int:enrollment_id>/session.ics", views_team.session_ics, name="team-session-ics"),
    path("api/me/", apis.MeApi.as_view(), name="api-me"),
    path("api/me/steps/<int:step_id>/complete/", apis.MeStepApi.as_view(), name="api-me-step"),
    path("api/me/fvm/", apis.MeFvmApi.as_view(), name="api-me-fvm"),
    path("api/team/", apis.TeamApi.as_view(), name="api-team"),
    # Bulk enrollment
    path(
        "api/enrollments/bulk/",
        apis_enroll.EnrollmentBulkApi.as_view(),
        name="api-enrollments-bulk",
    ),
    # Day-30/90 check-in links
    re_path(
        r"^checkin/(?P<token>[-\w:.]+)/(?P<answer>yes|no)/$",
        checkin_views.checkin_answer,
        name="checkin-answer",
    ),
]
