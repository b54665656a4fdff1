"""Web pages of directives."""

from django.urls import path

from dieuhanh.directives import views

app_name = "directives"

urlpatterns = [
    path("", views.register, name="register"),
    path("<int:pk>/", views.detail, name="detail"),
    path("extract/", views.extract, name="extract"),
    path("inbox/", views.inbox_choose, name="inbox_choose"),
    path("inbox/<str:code>/", views.inbox, name="inbox"),
    path("scorecards/", views.scorecards, name="scorecards"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
]
