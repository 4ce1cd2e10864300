"""django-anymail's webhooks (email service providers post inbound replies and delivery events here),
answering a wrong or missing webhook secret with 401 like our own inbound endpoint. Anymail raises a
SuspiciousOperation for it, which Django would turn into a 400 that says nothing about credentials."""

from functools import wraps

from anymail.exceptions import AnymailWebhookValidationFailure
from anymail.urls import urlpatterns as anymail_urlpatterns
from django.http import HttpResponse
from django.urls import URLPattern

app_name = "anymail"


def _unauthorized_on_failed_validation(view):
    @wraps(view)  # keeps csrf_exempt: providers cannot send our CSRF token
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except AnymailWebhookValidationFailure:
            response = HttpResponse("Wrong or missing webhook secret.\n", status=401, content_type="text/plain")
            response["WWW-Authenticate"] = 'Basic realm="salesops webhooks"'
            return response

    return wrapped


urlpatterns = [
    URLPattern(
        pattern.pattern, _unauthorized_on_failed_validation(pattern.callback), pattern.default_args, pattern.name
    )
    for pattern in anymail_urlpatterns
]
