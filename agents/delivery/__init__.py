"""Delivery: mailboxes, the deliverability agent that schedules the outbox, exactly-once sending,
suppression and unsubscribe, and the development sandbox.

- `models`: mailboxes and their days, threads, the outbox, suppression, sandbox mail (app label `agents`).
- `outbox`: how a draft becomes a queued message.
- `scheduling`: the deliverability agent (window, time zone, business days, caps, ramp, spacing).
- `sending`: claims due messages, re-checks them, talks to the server once, records the outcome.
- `send_now`: a person's "send now" from the outbox, inside the same limits.
- `compose`: the email itself (parts, unsubscribe headers and line, threading headers).
- `transport`: per-mailbox SMTP connections that know what the server accepted; the sandbox.
- `suppression`, `unsubscribe`, `mailboxes`, `health`: services; `selectors`: reads.
- `views`, `urls`, `forms`, `templates/delivery/`, `tasks`, `tests/`.
"""
