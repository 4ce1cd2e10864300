"""Delivery: mailboxes, the deliverability agent that schedules the outbox, exactly-once sending,
suppression and unsubscribe, follow-up sequences and the development sandbox.

- `scheduling`: the deliverability agent (window, time zone, business days, caps, ramp, spacing).
- `sending`: claims due messages, re-checks them, talks to the server once, records the outcome.
- `compose`: the email itself (parts, unsubscribe headers and line, threading headers).
- `transport`: per-mailbox SMTP connections that know what the server accepted; the sandbox.
- `suppression`, `unsubscribe`, `mailboxes`, `health`, `sequences`: services; `selectors`: reads.
"""
