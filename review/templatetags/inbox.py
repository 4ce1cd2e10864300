"""Small display filters of the review inbox."""

from datetime import UTC, datetime
from decimal import Decimal

from django import template
from django.utils import timezone

from agents import labels
from review import display

register = template.Library()


@register.filter
def age_label(created_at) -> str:
    return display.age_label(created_at, timezone.now()) if created_at else ""


@register.filter
def age_class(created_at) -> str:
    return display.age_class(created_at, timezone.now()) if created_at else ""


@register.filter
def percent(confidence) -> str:
    """0.825 -> "83%"; no confidence -> "—"."""
    if confidence is None or confidence == "":
        return "—"
    return f"{Decimal(str(confidence)) * 100:.0f}%"


@register.filter
def band_class(confidence) -> str:
    if confidence is None or confidence == "":
        return "band-none"
    value = Decimal(str(confidence))
    return "band-high" if value >= Decimal("0.8") else "band-medium" if value >= Decimal("0.5") else "band-low"


@register.filter
def utc(value, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A time in UTC with strftime (the inbox renders many; Django's `date` filter costs ten times more)."""
    return value.astimezone(UTC).strftime(pattern) if isinstance(value, datetime) else ""


@register.filter
def label(code) -> str:
    """An agent's code (a finding kind, a reply category, a verdict) in words."""
    return display.label(code)


@register.filter
def readable(text) -> str:
    """Agent-written text (a reason) with the codes it quotes ("forbidden_phrase") in words."""
    return display.readable(str(text or ""))


@register.filter
def model_label(step) -> str:
    """The model of an agent step in words ("Offline rules", "claude-sonnet-4-5 (Anthropic)")."""
    return labels.model_label(getattr(step, "provider", ""), getattr(step, "model", ""))


@register.filter
def prompt_label(version) -> str:
    """A prompt version as "prompt v1"."""
    return labels.prompt_label(version)


@register.filter
def brief(text) -> str:
    """A research brief with its signal kinds in words."""
    return display.brief_text(text)
