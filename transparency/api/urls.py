"""The open data API (namespace "api"), at /api/v1/ without a language prefix. Names are the contract."""

from django.urls import path

from transparency.api import views

app_name = "api"

urlpatterns = [
    path("", views.ApiRootView.as_view(), name="root"),
    path("schema/", views.schema_view, name="schema"),
    path("docs/", views.docs_view, name="docs"),
    path("districts/", views.DistrictListView.as_view(), name="district-list"),
    path("districts/<slug:slug>/", views.DistrictDetailView.as_view(), name="district-detail"),
    path("officers/", views.OfficerListView.as_view(), name="officer-list"),
    path("officers/<slug:slug>/", views.OfficerDetailView.as_view(), name="officer-detail"),
    path("events/", views.EventListView.as_view(), name="event-list"),
    path("events/<slug:slug>/", views.EventDetailView.as_view(), name="event-detail"),
    path("feedback/", views.FeedbackListView.as_view(), name="feedback-list"),
    path("feedback/<int:pk>/", views.FeedbackDetailView.as_view(), name="feedback-detail"),
    path("updates/", views.UpdateListView.as_view(), name="update-list"),
    path("updates/<slug:slug>/", views.UpdateDetailView.as_view(), name="update-detail"),
    path("statistics/", views.StatisticsListView.as_view(), name="statistics-list"),
    path("statistics/<slug:dataset>/", views.StatisticsDetailView.as_view(), name="statistics-detail"),
]
