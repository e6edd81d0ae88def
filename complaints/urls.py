"""Complaint pages (namespace "complaints"), under the language prefix. Names are the contract."""

from django.urls import path

from complaints.views import intake, staff, tracking

app_name = "complaints"

urlpatterns = [
    # Filing: the start page (how complaints work), one topic a page, check your answers, confirmation
    path("complaints/new/", intake.start_view, name="start"),
    path("complaints/new/check/", intake.check_view, name="check"),
    path("complaints/new/done/", intake.done_view, name="done"),
    path("complaints/new/<slug:step>/", intake.step_view, name="step"),
    # Following it: reference + access code (or the signed-in owner)
    path("complaints/track/", tracking.track_view, name="track"),
    path("complaints/mine/", tracking.my_complaints_view, name="mine"),
    path("complaints/track/<str:reference>/", tracking.status_view, name="status"),
    path("complaints/track/<str:reference>/message/", tracking.message_view, name="message"),
    path("complaints/track/<str:reference>/evidence/", tracking.add_evidence_view, name="add-evidence"),
    path("complaints/track/<str:reference>/evidence/<int:pk>/", tracking.evidence_view, name="evidence"),
    path("complaints/track/<str:reference>/withdraw/", tracking.withdraw_view, name="withdraw"),
    path("complaints/track/<str:reference>/review/", tracking.review_view, name="review"),
    # Investigation (investigators and administrators; conflict of interest → 404)
    path("staff/complaints/", staff.queue_view, name="staff-queue"),
    path("staff/complaints/export.csv", staff.export_view, name="staff-export"),
    path("staff/complaints/new/", intake.staff_intake_view, name="staff-intake"),
    path("staff/complaints/access-log/", staff.access_log_view, name="staff-access-log"),
    path("staff/complaints/<str:reference>/", staff.detail_view, name="staff-detail"),
    path("staff/complaints/<str:reference>/transition/", staff.transition_view, name="staff-transition"),
    path("staff/complaints/<str:reference>/assign/", staff.assign_view, name="staff-assign"),
    path("staff/complaints/<str:reference>/findings/", staff.findings_view, name="staff-findings"),
    path("staff/complaints/<str:reference>/message/", staff.message_view, name="staff-message"),
    path("staff/complaints/<str:reference>/evidence/<int:pk>/", staff.evidence_view, name="staff-evidence"),
    path("staff/complaints/<str:reference>/review/", staff.review_decision_view, name="staff-review"),
]
