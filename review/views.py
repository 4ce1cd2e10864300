from django.shortcuts import render

from salesops.access import member_required
from salesops.models import Role


@member_required(Role.REP)
def inbox(request):
    return render(request, "review/inbox.html")
