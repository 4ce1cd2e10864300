from django.shortcuts import render

from salesops.access import member_required
from salesops.models import Role


@member_required(Role.MANAGER)
def campaign_list(request):
    return render(request, "campaigns/campaign_list.html")


@member_required(Role.MANAGER)
def icp_list(request):
    return render(request, "campaigns/icp_list.html")


@member_required(Role.REP)
def account_list(request):
    return render(request, "campaigns/account_list.html")
