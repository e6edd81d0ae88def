"""Feedback pages (namespace "feedback"), under the language prefix."""

from django.urls import path

from feedback.views import public, sending, staff, surveys

app_name = "feedback"

urlpatterns = [
    # The public wall and its figures
    path("feedback/", public.wall_view, name="wall"),
    path("feedback/<int:pk>/", public.published_detail_view, name="detail"),
    # Sending, and reading the answers (signed in, or through an anonymous sender's private link)
    path("feedback/new/", sending.feedback_new_view, name="new"),
    path("feedback/sent/", sending.feedback_sent_view, name="sent"),
    path("feedback/mine/", sending.my_feedback_view, name="mine"),
    path("feedback/mine/<int:pk>/", sending.my_feedback_detail_view, name="mine-detail"),
    path("feedback/private/<str:token>/", sending.private_feedback_view, name="private"),
    # Trust surveys after events (signed, single-use links)
    path("feedback/survey/<str:token>/", surveys.survey_view, name="survey"),
    # Staff inbox (officers in their scope, administrators)
    path("staff/feedback/", staff.inbox_view, name="staff-inbox"),
    path("staff/feedback/<int:pk>/", staff.feedback_detail_view, name="staff-detail"),
    path("staff/feedback/<int:pk>/moderate/", staff.moderate_view, name="staff-moderate"),
    path("staff/feedback/<int:pk>/to-complaint/", staff.to_complaint_view, name="staff-to-complaint"),
    path("staff/feedback/templates/", staff.reply_template_list_view, name="staff-templates"),
    path("staff/feedback/templates/<int:pk>/", staff.reply_template_edit_view, name="staff-template-edit"),
]
