from django.contrib import admin
from django.urls import include, path

from salesops import views

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("workspace/switch/", views.workspace_switch, name="workspace_switch"),
    path("settings/members/", views.settings_members, name="settings_members"),
    path("settings/invitations/", views.invitation_create, name="invitation_create"),
    path("settings/invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("settings/members/<int:membership_id>/role/", views.membership_role_change, name="membership_role_change"),
    path("settings/members/<int:membership_id>/remove/", views.membership_remove, name="membership_remove"),
    # Settings -> API keys: views live in campaigns (which owns ApiKey); included by name so the core imports no app.
    path("settings/api-keys/", include("campaigns.urls_api_keys")),
    # The agent team: delivery's settings pages and unsubscribe link, the agent runs.
    path("", include("agents.urls")),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
    path("campaigns/", include("campaigns.urls")),
    path("inbox/", include("review.urls")),
    path("meetings/", include("agents.meetings.urls")),
    # Dashboards and the audit timeline read agents' data, so they live in agents.insights.
    path("insights/", include("agents.insights.urls")),
    # The prospect's booking pages: public, each URL carries a signed token.
    path("book/", include("agents.meetings.public_urls")),
    path("inbound/", include("agents.conversations.urls")),
    path("anymail/", include("agents.conversations.urls_anymail")),
    path("api/v1/", include("campaigns.api_urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "salesops.views.permission_denied"
