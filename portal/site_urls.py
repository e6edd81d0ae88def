"""The portal's own pages (namespace "portal"), mounted under the language prefix."""

from django.urls import path

from portal.views import account, directory, site, staff

app_name = "portal"

urlpatterns = [
    path("", site.home_view, name="home"),
    path("privacy/", site.site_page_view, {"page": "privacy"}, name="privacy"),
    path("accessibility/", site.site_page_view, {"page": "accessibility"}, name="accessibility"),
    # Directory
    path("officers/", directory.officer_list_view, name="officer-list"),
    path("officers/<slug:slug>/", directory.officer_detail_view, name="officer-detail"),
    path("districts/", directory.district_list_view, name="district-list"),
    path("districts/<slug:slug>/", directory.district_detail_view, name="district-detail"),
    # My account
    path("account/", account.account_view, name="account"),
    path("account/export/", account.account_export_view, name="account-export"),
    path("account/delete/", account.account_delete_view, name="account-delete"),
    # Staff work pages
    path("staff/", staff.staff_home_view, name="staff-home"),
    path("staff/people/", staff.staff_list_view, name="staff-list"),
    path("staff/people/invite/", staff.staff_invite_view, name="staff-invite"),
    path("staff/people/<int:pk>/", staff.staff_detail_view, name="staff-detail"),
    path("staff/people/<int:pk>/officer/", staff.staff_link_officer_view, name="staff-link-officer"),
    path("staff/people/<int:pk>/deactivate/", staff.staff_deactivate_view, name="staff-deactivate"),
    path("staff/people/<int:pk>/reactivate/", staff.staff_reactivate_view, name="staff-reactivate"),
    path("staff/people/<int:pk>/reset-two-factor/", staff.staff_reset_mfa_view, name="staff-reset-mfa"),
    path("staff/pages/<slug:page>/", staff.site_page_edit_view, name="staff-page-edit"),
]
