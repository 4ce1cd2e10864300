import json
import re

from django.contrib import messages

from salesops.request_context import current_request_id, reset_request_id, set_request_id

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Tags each request with an id (a trusted proxy's X-Request-ID, else a new one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        token = set_request_id(incoming if _SAFE_REQUEST_ID.match(incoming) else None)
        try:
            request.request_id = current_request_id()
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            return response
        finally:
            reset_request_id(token)


class HtmxMessagesMiddleware:
    """Delivers Django messages to htmx requests as an HX-Trigger event the base layout shows.

    A full page renders messages itself; an htmx swap would otherwise drop them silently.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or response.status_code in (301, 302, 303):
            return response
        if "HX-Redirect" in response.headers or "HX-Location" in response.headers:
            return response
        pending = [{"level": message.level_tag, "text": str(message)} for message in messages.get_messages(request)]
        if pending:
            triggers = {}
            if "HX-Trigger" in response.headers:
                try:
                    triggers = json.loads(response.headers["HX-Trigger"])
                except ValueError:
                    triggers = {response.headers["HX-Trigger"]: None}
            triggers["salesops:messages"] = pending
            response.headers["HX-Trigger"] = json.dumps(triggers)
        return response
