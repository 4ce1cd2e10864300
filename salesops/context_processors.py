from django.urls import reverse

from salesops.access import current_membership
from salesops.models import Role

# The main navigation: label, url name, the lowest role that may use it, and the role from which a
# link is replaced by a broader one (managers read the delivery pages; admins find them in Settings).
NAVIGATION = [
    ("Dashboard", "insights:overview", Role.REP),
    ("Inbox", "review:inbox", Role.REP),
    ("Meetings", "meetings:meeting_list", Role.REP),
    ("Campaigns", "campaigns:campaign_list", Role.MANAGER),
    ("ICPs", "campaigns:icp_list", Role.MANAGER),
    ("Accounts", "campaigns:account_list", Role.REP),
    ("Audit", "insights:timeline", Role.ADMIN),
    ("Delivery", "agents:outbox_list", Role.MANAGER, Role.ADMIN),
    ("Settings", "settings_members", Role.ADMIN),
]


def _shown_to(membership, lowest: str, replaced_from: str | None = None) -> bool:
    return membership.has_role(lowest) and not (replaced_from and membership.has_role(replaced_from))


def workspace(request):
    membership = current_membership(request) if hasattr(request, "user") else None
    if membership is None:
        return {"current_membership": None, "navigation": []}
    links = [(label, reverse(url_name)) for label, url_name, *roles in NAVIGATION if _shown_to(membership, *roles)]
    # The current section is the link with the longest path that starts the request's path.
    matching = [url for _, url in links if request.path.startswith(url)]
    current = max(matching, key=len, default=None)
    return {
        "current_membership": membership,
        "current_workspace": membership.workspace,
        "navigation": [(label, url, url == current) for label, url in links],
    }
