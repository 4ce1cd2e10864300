"""A local fake of the Anthropic Messages API, good enough for the official SDK to talk to over HTTP.

Tests and the pipeline benchmark start it on 127.0.0.1 (a free port) and point the provider at
`base_url`. Each test queues the replies it wants, in order:

    with FakeAnthropic(latency_ms=50) as fake:
        fake.fail(429)                               # HTTP 429 with a JSON error body, retry-after: 0
        fake.reply({"score": 80}, cache_read_input_tokens=1200)
        ...
        fake.requests[0].body["tool_choice"]          # what the SDK sent

A reply answers in the shape the request asked for: a `tool_use` block when `tool_choice` forces a
tool, else a text block holding the JSON. With the queue empty it asks `responder(body)` for the
output (the benchmark's mode), or answers 400 so a test that forgot a reply fails loudly. Usage not
given explicitly is simulated: about four characters a token, and the prefix up to the last
`cache_control` breakpoint is written to a cache on first sight and read from it afterwards.
"""

from __future__ import annotations

import collections
import hashlib
import itertools
import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    502: "api_error",
    503: "api_error",
    529: "overloaded_error",
}


@dataclass
class Reply:
    """One queued answer. `status` other than 200 makes it an HTTP error."""

    status: int = 200
    output: Any = None
    raw_text: str | None = None
    stop_reason: str | None = None
    usage: dict[str, int] = field(default_factory=dict)
    latency_ms: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    received_at: float


def _tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


def _text_of(blocks: Any) -> str:
    if isinstance(blocks, str):
        return blocks
    return "".join(block.get("text", "") for block in blocks or [] if isinstance(block, dict))


class FakeAnthropic:
    def __init__(
        self,
        *,
        latency_ms: int = 0,
        responder: Callable[[dict[str, Any]], Any] | None = None,
        min_cacheable_tokens: int = 0,
    ) -> None:
        self.latency_ms = latency_ms
        self.responder = responder
        # Prefixes shorter than this are not cached (the real API has a per-model minimum).
        self.min_cacheable_tokens = min_cacheable_tokens
        self.requests: list[RecordedRequest] = []
        self._replies: collections.deque[Reply] = collections.deque()
        self._cached_prefixes: set[str] = set()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Life cycle ------------------------------------------------------------------------------------

    def start(self) -> FakeAnthropic:
        handler = type("Handler", (_Handler,), {"fake": self})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler, bind_and_activate=False)
        server.daemon_threads = True
        server.request_queue_size = 256  # many concurrent model calls in the benchmark
        server.allow_reuse_address = True
        server.server_bind()
        server.server_activate()
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-anthropic", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeAnthropic:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # Scenario --------------------------------------------------------------------------------------

    def enqueue(self, reply: Reply) -> None:
        with self._lock:
            self._replies.append(reply)

    def reply(self, output: Any, **usage: int) -> None:
        """A successful answer with this structured output; usage keys as in the API's `usage`."""
        self.enqueue(Reply(output=output, usage=usage))

    def reply_text(self, text: str, **usage: int) -> None:
        """A successful answer whose text (or tool input) is this literal string, e.g. broken JSON."""
        self.enqueue(Reply(raw_text=text, usage=usage))

    def fail(self, status: int, *, times: int = 1, message: str | None = None) -> None:
        for _ in range(times):
            self.enqueue(Reply(status=status, raw_text=message))

    def refuse(self) -> None:
        self.enqueue(Reply(stop_reason="refusal", raw_text="I can't help with that request."))

    def stop_at_max_tokens(self) -> None:
        self.enqueue(Reply(stop_reason="max_tokens", raw_text='{"summary": "The account is'))

    @property
    def message_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.startswith("/v1/messages")]

    # Answering -------------------------------------------------------------------------------------

    def _next_reply(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            if self._replies:
                return self._replies.popleft()
        if self.responder is not None:
            return Reply(output=self.responder(body))
        return Reply(status=400, raw_text="fake Anthropic: no reply queued for this request")

    def _simulated_usage(self, body: dict[str, Any], output_text: str) -> dict[str, int]:
        system = body.get("system") or []
        if isinstance(system, str):
            system = [{"type": "text", "text": system}]
        tools_text = json.dumps(body.get("tools") or [], sort_keys=True)
        breakpoint_index = max(
            (i for i, block in enumerate(system) if isinstance(block, dict) and block.get("cache_control")),
            default=-1,
        )
        prefix = tools_text + _text_of(system[: breakpoint_index + 1]) if breakpoint_index >= 0 else ""
        rest = _text_of(system[breakpoint_index + 1 :]) + "".join(
            _text_of(message.get("content")) for message in body.get("messages") or []
        )
        usage = {"input_tokens": _tokens(rest), "output_tokens": max(_tokens(output_text), 1)}
        usage["cache_creation_input_tokens"] = usage["cache_read_input_tokens"] = 0
        prefix_tokens = _tokens(prefix)
        if prefix and prefix_tokens >= self.min_cacheable_tokens:
            key = hashlib.sha256(f"{body.get('model')}\0{prefix}".encode()).hexdigest()
            with self._lock:
                seen = key in self._cached_prefixes
                self._cached_prefixes.add(key)
            usage["cache_read_input_tokens" if seen else "cache_creation_input_tokens"] = prefix_tokens
        else:
            usage["input_tokens"] += prefix_tokens
        return usage

    def _message(self, body: dict[str, Any], reply: Reply) -> dict[str, Any]:
        text = reply.raw_text if reply.raw_text is not None else json.dumps(reply.output)
        tool_choice = body.get("tool_choice") or {}
        tools = body.get("tools") or []
        forced_tool = tool_choice.get("name") if tool_choice.get("type") == "tool" else None
        if forced_tool is None and tool_choice.get("type") == "any" and tools:
            forced_tool = tools[0].get("name")

        stop_reason = reply.stop_reason
        stop_details = None
        if stop_reason == "refusal":
            content = [{"type": "text", "text": text}]
            stop_details = {"type": "refusal", "category": None, "explanation": "The fake declined."}
        elif forced_tool is not None and stop_reason is None:
            tool_input = reply.output if reply.raw_text is None else reply.raw_text
            content = [
                {"type": "tool_use", "id": f"toolu_fake{next(self._ids)}", "name": forced_tool, "input": tool_input}
            ]
            stop_reason = "tool_use"
        elif forced_tool is not None:
            content = [{"type": "tool_use", "id": f"toolu_fake{next(self._ids)}", "name": forced_tool, "input": {}}]
        else:
            content = [{"type": "text", "text": text}]
            stop_reason = stop_reason or "end_turn"

        usage = self._simulated_usage(body, text)
        usage.update(reply.usage)
        return {
            "id": f"msg_fake{next(self._ids)}",
            "type": "message",
            "role": "assistant",
            "model": body.get("model"),
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "stop_details": stop_details,
            "usage": usage,
        }


class _Handler(BaseHTTPRequestHandler):
    fake: FakeAnthropic
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's connection pool expects
    disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read the recorded requests
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        fake = self.fake
        with fake._lock:
            request_number = next(fake._ids)
            fake.requests.append(
                RecordedRequest(
                    method="POST",
                    path=self.path,
                    headers={key.lower(): value for key, value in self.headers.items()},
                    body=body,
                    received_at=time.monotonic(),
                )
            )
        request_id = f"req_fake{request_number:06d}"

        if self.path.split("?")[0] != "/v1/messages":
            self._send_error(404, "not found", request_id)
            return
        if not self.headers.get("x-api-key") and not self.headers.get("authorization"):
            self._send_error(401, "missing x-api-key", request_id)
            return
        missing = [name for name in ("model", "max_tokens", "messages") if name not in body]
        if missing:
            self._send_error(400, f"missing {', '.join(missing)}", request_id)
            return

        reply = fake._next_reply(body)
        latency_ms = reply.latency_ms if reply.latency_ms is not None else fake.latency_ms
        if latency_ms:
            time.sleep(latency_ms / 1000)
        if reply.status != 200:
            self._send_error(reply.status, reply.raw_text or "fake error", request_id, reply.headers)
            return
        self._send_json(200, fake._message(body, reply), request_id, reply.headers)

    def _send_error(self, status: int, message: str, request_id: str, headers: dict[str, str] | None = None) -> None:
        error_type = ERROR_TYPES.get(status, "api_error")
        body = {"type": "error", "error": {"type": error_type, "message": message}, "request_id": request_id}
        extra = {"retry-after": "0"} if status in (408, 429) or status >= 500 else {}
        extra.update(headers or {})
        self._send_json(status, body, request_id, extra)

    def _send_json(self, status: int, body: dict[str, Any], request_id: str, headers: dict[str, str] | None) -> None:
        payload = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.send_header("request-id", request_id)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test); nothing to answer
