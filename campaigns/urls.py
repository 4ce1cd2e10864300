from django.urls import path

from campaigns import urls_imports, urls_lists, views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("<int:campaign_id>/", views.campaign_detail, name="campaign_detail"),
    path("<int:campaign_id>/edit/", views.campaign_edit, name="campaign_edit"),
    path("<int:campaign_id>/status/", views.campaign_status, name="campaign_status"),
    path("icps/", views.icp_list, name="icp_list"),
    path("icps/new/", views.icp_create, name="icp_create"),
    path("icps/<int:icp_id>/", views.icp_detail, name="icp_detail"),
    path("icps/<int:icp_id>/edit/", views.icp_edit, name="icp_edit"),
    path("offers/", views.offer_list, name="offer_list"),
    path("offers/new/", views.offer_create, name="offer_create"),
    path("offers/<int:offer_id>/edit/", views.offer_edit, name="offer_edit"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/new/", views.policy_create, name="policy_create"),
    path("policies/<int:policy_id>/edit/", views.policy_edit, name="policy_edit"),
    path("proof/", views.proof_list, name="proof_list"),
    path("proof/new/", views.proof_create, name="proof_create"),
    path("proof/<int:proof_id>/edit/", views.proof_edit, name="proof_edit"),
    path("accounts/", views.account_list, name="account_list"),
    path("accounts/<int:account_id>/", views.account_detail, name="account_detail"),
    *urls_imports.urlpatterns,
    *urls_lists.urlpatterns,
]
