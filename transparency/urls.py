"""Transparency pages (namespace "transparency"), under the language prefix. Names are the contract."""

from django.urls import path

from transparency.views import dashboard, progress, public, staff, subscriptions

app_name = "transparency"

urlpatterns = [
    # Updates, their attachments and Atom feeds
    path("transparency/", public.update_list_view, name="list"),
    path("transparency/updates/<slug:slug>/", public.update_detail_view, name="detail"),
    path("transparency/updates/<slug:slug>/attachments/<int:pk>/", public.attachment_view, name="attachment"),
    path("transparency/feed/", public.LatestUpdatesFeed(), name="feed"),
    path("transparency/feed/category/<slug:category>/", public.CategoryUpdatesFeed(), name="feed-category"),
    path("transparency/feed/district/<slug:slug>/", public.DistrictUpdatesFeed(), name="feed-district"),
    # Subscriptions (double opt-in; manage through the private link in every email)
    path("transparency/subscribe/", subscriptions.subscribe_view, name="subscribe"),
    path("transparency/subscribe/sent/", subscriptions.subscribe_sent_view, name="subscribe-sent"),
    path("transparency/subscribe/confirm/<str:token>/", subscriptions.confirm_view, name="confirm"),
    path("transparency/subscriptions/<str:token>/", subscriptions.manage_view, name="manage"),
    path("account/subscriptions/", subscriptions.my_subscriptions_view, name="my-subscriptions"),
    # Statistics
    path("transparency/dashboard/", dashboard.dashboard_view, name="dashboard"),
    path("transparency/dashboard/<slug:dataset>.csv", dashboard.dataset_csv_view, name="dataset-csv"),
    path("transparency/dashboard/<slug:dataset>.json", dashboard.dataset_json_view, name="dataset-json"),
    # Staff: writing, scheduling, publishing, correcting; the fan-out's progress
    path("staff/updates/", staff.update_list_view, name="staff-list"),
    path("staff/updates/new/", staff.update_new_view, name="staff-new"),
    path("staff/updates/<int:pk>/", staff.update_edit_view, name="staff-edit"),
    path("staff/updates/<int:pk>/publish/", staff.update_publish_view, name="staff-publish"),
    path("staff/updates/<int:pk>/correct/", staff.update_correct_view, name="staff-correct"),
    path("staff/updates/<int:pk>/progress/", progress.update_progress_view, name="staff-progress"),
]
