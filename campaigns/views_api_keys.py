"""Settings -> API keys: admins create keys (each shown once) and revoke them."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from campaigns import api_keys
from campaigns.models import ApiKey
from salesops.access import member_required
from salesops.models import Role


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="Who or what will use it, e.g. “HubSpot sync”. Shown in the audit log."
    )


def _render_page(request, *, form: ApiKeyForm, new_key: api_keys.NewApiKey | None = None, status: int = 200):
    context = {"keys": api_keys.api_keys_of_workspace(workspace=request.workspace), "form": form, "new_key": new_key}
    return render(request, "campaigns/api_keys.html", context, status=status)


@member_required(Role.ADMIN)
def api_key_list(request):
    return _render_page(request, form=ApiKeyForm())


@never_cache
@member_required(Role.ADMIN)
@require_POST
def api_key_create(request):
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return _render_page(request, form=form, status=400)
    try:
        new_key = api_keys.api_key_create(actor=request.membership, name=form.cleaned_data["name"])
    except ValidationError as error:
        form.add_error("name", error)
        return _render_page(request, form=form, status=400)
    # Rendered, not redirected: the key is shown in this one answer and never stored anywhere
    # (a redirect would need it in the session or a message cookie). never_cache keeps it out of caches.
    return _render_page(request, form=ApiKeyForm(), new_key=new_key)


@member_required(Role.ADMIN)
@require_POST
def api_key_revoke(request, api_key_id: int):
    try:
        api_key = api_keys.api_key_get(workspace=request.workspace, api_key_id=api_key_id)
    except ApiKey.DoesNotExist:
        raise Http404 from None
    api_keys.api_key_revoke(actor=request.membership, api_key=api_key)
    messages.success(request, f"The key “{api_key.name}” is revoked: requests using it are now refused.")
    return redirect("api_key_list")
