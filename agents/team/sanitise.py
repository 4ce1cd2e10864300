"""Data fields become plain text before they reach an email, and an email's text is checked for markup.

A signal scraped from a page, a CRM field or a reply may hold HTML: tags, scripts, event handlers,
hidden text, entities that decode into tags. None of it may reach a prospect. `plain_text` is what a
writer quotes from a data field; `unsafe_markup` is what a checker looks for in a subject or body.
"""

import html
import re

import nh3

from agents.team.markup import hidden_regions, looks_like_html, strip_invisible

# Nothing survives as markup: no tag is allowed, and script and style lose their content too.
_NO_TAGS: set[str] = set()
_DROPPED_WITH_CONTENT = {"script", "style", "template", "noscript", "iframe", "object", "svg", "math", "title", "head"}
_STRAY_TAG_START = re.compile(r"<(?=\s*[/!?a-zA-Z])")


def _without_hidden(value: str) -> str:
    """`value` with every hidden element and comment replaced by a space."""
    pieces, position = [], 0
    for region in hidden_regions(value):
        pieces.append(value[position : region.start])
        pieces.append(" ")
        position = region.end
    pieces.append(value[position:])
    return "".join(pieces)


def plain_text(value: str) -> str:
    """A data field as plain text: tags, comments and hidden content removed, entities unescaped,
    invisible and control characters removed, whitespace collapsed. Markup never survives, including
    markup that was encoded once or twice (&lt;script&gt;)."""
    text = value or ""
    for _round in range(4):  # each round undoes one layer of encoding
        if not looks_like_html(text):
            break
        cleaned = nh3.clean(_without_hidden(text), tags=_NO_TAGS, clean_content_tags=_DROPPED_WITH_CONTENT)
        text = html.unescape(cleaned)
    text = _STRAY_TAG_START.sub("", text)  # whatever still opens a tag after the last round
    text = strip_invisible(text).replace("\u00a0", " ")
    return " ".join(text.split())


_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][\w:-]*(?:\s[^<>]*)?/?\s*>|<\s*[a-zA-Z][\w:-]*\s[^<>]*$")
_SCRIPT = re.compile(r"<\s*/?\s*script\b[^>]*>?", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_EVENT_HANDLER = re.compile(r"\bon[a-z]{3,}\s*=\s*[\"']?", re.IGNORECASE)
_DANGEROUS_SCHEME = re.compile(
    r"\b(?:j\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t|v\s*b\s*s\s*c\s*r\s*i\s*p\s*t)\s*:\S*"
    r"|\bdata\s*:\s*[a-z]+/[\w.+-]+[;,]\S*",
    re.IGNORECASE,
)
_PROTOCOL_RELATIVE = re.compile(r"(?<![\w:/])//[a-z0-9-]+(?:\.[a-z0-9-]+)+[^\s<>\"')]*", re.IGNORECASE)
_ENCODED_TAG = re.compile(r"(?:&lt;|&#0*60;|&#x0*3c;|%3c|\\u003c|\\x3c)\s*/?\s*[a-z][\w:-]*", re.IGNORECASE)


def unsafe_markup(text: str) -> list[tuple[str, str]]:
    """(span, reason) for every piece of markup in an email's subject or body: tags, scripts, comments,
    event handlers, javascript:/vbscript:/data: URLs, protocol-relative links and encoded tags. An
    email is plain text; each of these is a finding."""
    text = text or ""
    found: list[tuple[int, str, str]] = []
    seen: set[tuple[int, int]] = set()

    def note(match: re.Match, reason: str) -> None:
        if any(start <= match.start() < end for start, end in seen):
            return
        seen.add(match.span())
        found.append((match.start(), match.group(0), reason))

    for match in _SCRIPT.finditer(text):
        note(match, "script tag")
    for match in _COMMENT.finditer(text):
        note(match, "HTML comment")
    for match in _TAG.finditer(text):
        note(match, "HTML tag")
    for match in _EVENT_HANDLER.finditer(text):
        note(match, "event handler")
    for match in _DANGEROUS_SCHEME.finditer(text):
        note(match, "script or data URL")
    for match in _PROTOCOL_RELATIVE.finditer(text):
        note(match, "protocol-relative link")
    for match in _ENCODED_TAG.finditer(text):
        note(match, "encoded tag")
    decoded = html.unescape(text)
    if decoded != text:  # entities that spell a dangerous URL: "java&#115;cript:"
        for match in _DANGEROUS_SCHEME.finditer(decoded):
            if not any(span == match.group(0) for _start, span, _reason in found):
                found.append((len(text), match.group(0), "encoded script URL"))
    return [(span, reason) for _start, span, reason in sorted(found, key=lambda item: item[0])]
