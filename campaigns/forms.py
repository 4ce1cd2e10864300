from django import forms

from campaigns import lists
from campaigns.models import Campaign, ContactList, ICPVersion, Offer, Policy, ProofPoint, SequenceStep, Signal
from campaigns.selectors import active_mailboxes

WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]


class LinesField(forms.CharField):
    """A list of short texts, typed one per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, *args, lower: bool = False, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "One per line.")
        self.lower = lower
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        if self.lower:  # domains and codes: commas are separators too
            text = text.replace(",", "\n")
        items = [line.strip() for line in text.splitlines() if line.strip()]
        if self.lower:
            items = [item.lower() for item in items]
        return list(dict.fromkeys(items))


class ICPForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    industries = LinesField()
    employee_min = forms.IntegerField(min_value=0, required=False, label="Employees from")
    employee_max = forms.IntegerField(min_value=0, required=False, label="Employees up to")
    countries = LinesField(help_text="Two-letter country codes, one per line (e.g. DE).")
    persona_titles = LinesField(label="Persona titles")
    persona_seniorities = LinesField(label="Persona seniorities")
    persona_departments = LinesField(label="Persona departments")
    excluded_domains = LinesField(lower=True, help_text="Competitors and customers, one domain per line.")
    excluded_industries = LinesField()
    disqualifiers = LinesField(help_text="Conditions that rule an account out, one per line.")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One weight field per signal kind: what makes an account "hot".
        for kind, label in Signal.Kind.choices:
            self.fields[f"weight_{kind}"] = forms.IntegerField(
                min_value=0, max_value=10, required=False, initial=0, label=f"Weight of {label.lower()}"
            )

    @property
    def weight_fields(self):
        return [self[f"weight_{kind}"] for kind, _ in Signal.Kind.choices]

    @property
    def content_fields(self):
        return [self[name] for name in self.fields if not name.startswith("weight_") and name != "name"]

    def clean_countries(self):
        countries = [code.upper() for code in self.cleaned_data["countries"]]
        bad = [code for code in countries if len(code) != 2 or not code.isalpha()]
        if bad:
            raise forms.ValidationError(f"Use two-letter country codes: {', '.join(bad)}")
        return countries

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("employee_min"), cleaned.get("employee_max")
        if low is not None and high is not None and low > high:
            self.add_error("employee_max", "Must be at least the lower bound.")
        return cleaned

    def content(self) -> dict:
        data = {field: self.cleaned_data[field] for field in ICPVersion.CONTENT_FIELDS if field != "signal_weights"}
        data["signal_weights"] = {
            kind: self.cleaned_data[f"weight_{kind}"]
            for kind, _ in Signal.Kind.choices
            if self.cleaned_data.get(f"weight_{kind}")
        }
        return data

    @classmethod
    def initial_from(cls, version: ICPVersion) -> dict:
        initial = {"name": version.icp.name, **version.content()}
        for kind, weight in version.signal_weights.items():
            initial[f"weight_{kind}"] = weight
        return initial


class UniqueNameInWorkspace:
    """Names are unique per workspace; say so on the field instead of failing at the database."""

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        model = self._meta.model
        clashes = model.objects.filter(workspace_id=self.instance.workspace_id, name__iexact=name)
        if self.instance.pk:
            clashes = clashes.exclude(pk=self.instance.pk)
        if clashes.exists():
            raise forms.ValidationError(f"{model._meta.verbose_name.capitalize()} {name!r} already exists.")
        return name


class OfferForm(UniqueNameInWorkspace, forms.ModelForm):
    languages = LinesField(lower=True, help_text="Language codes, one per line; the first is the default.")

    class Meta:
        model = Offer
        fields = [
            "name",
            "value_proposition",
            "call_to_action",
            "tone",
            "languages",
            "sender_name",
            "signature",
            "postal_address",
        ]
        widgets = {
            "value_proposition": forms.Textarea(attrs={"rows": 3}),
            "signature": forms.Textarea(attrs={"rows": 3}),
            "postal_address": forms.Textarea(attrs={"rows": 3}),
        }


class ProofPointForm(forms.ModelForm):
    class Meta:
        model = ProofPoint
        fields = ["kind", "title", "text", "customer_name", "source", "may_name_publicly", "is_active"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


class PolicyForm(UniqueNameInWorkspace, forms.ModelForm):
    forbidden_phrases = LinesField()
    forbidden_topics = LinesField()
    allowed_link_domains = LinesField(lower=True, help_text="Domains links may point to, one per line.")
    escalation_rules = LinesField(help_text='Conditions a person must handle, e.g. "legal or procurement".')

    class Meta:
        model = Policy
        fields = [
            "name",
            "forbidden_phrases",
            "forbidden_topics",
            "pricing_allowed",
            "max_discount_percent",
            "allowed_link_domains",
            "escalation_rules",
        ]


class MailboxChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, mailbox):
        return f"{mailbox} · up to {mailbox.daily_cap} a day"


class CampaignForm(UniqueNameInWorkspace, forms.ModelForm):
    send_days = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple, required=False, label="Send on"
    )
    high_value_tiers = LinesField(help_text="Account tiers a person always handles, one per line.")
    # Only the workspace's active mailboxes are offered: admins connect, pause and configure mailboxes
    # (Settings → Mailboxes); a manager picks which of them send for the campaign.
    mailboxes = MailboxChoiceField(
        queryset=Campaign.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Send from",
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "icp_version",
            "offer",
            "policy",
            "goal_target",
            "goal_start",
            "goal_end",
            "autonomy",
            "confidence_threshold",
            "high_value_tiers",
            "high_value_min_employees",
            "daily_new_lead_limit",
            "max_contacts_per_account",
            "colleague_spacing_days",
            "allow_sequence_overlap",
            "mailboxes",
            "send_days",
            "send_start",
            "send_end",
            "stale_signal_days",
        ]
        labels = {
            "icp_version": "ICP version",
            "goal_target": "Goal: qualified meetings booked",
            "goal_start": "Goal period from",
            "goal_end": "Goal period until",
            "high_value_min_employees": "A person handles accounts from this many employees",
            "send_start": "Send window opens (recipient's time)",
            "send_end": "Send window closes (recipient's time)",
            "stale_signal_days": "Signals older than this many days are stale",
            "max_contacts_per_account": "At most this many people of one account in sequence at once",
            "colleague_spacing_days": "Days between starting colleagues at the same account",
            "allow_sequence_overlap": "May enrol people already in another campaign's sequence",
        }
        widgets = {
            "goal_start": forms.DateInput(attrs={"type": "date"}),
            "goal_end": forms.DateInput(attrs={"type": "date"}),
            "send_start": forms.TimeInput(attrs={"type": "time"}),
            "send_end": forms.TimeInput(attrs={"type": "time"}),
        }

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["icp_version"].queryset = ICPVersion.objects.filter(workspace=workspace).select_related("icp")
        self.fields["offer"].queryset = Offer.objects.filter(workspace=workspace)
        self.fields["policy"].queryset = Policy.objects.filter(workspace=workspace)
        for name in ("icp_version", "offer", "policy"):
            self.fields[name].required = False
        active = active_mailboxes(workspace=workspace)
        self.fields["mailboxes"].queryset = active
        if self.instance.pk:
            self.initial.setdefault("mailboxes", list(active.filter(campaigns=self.instance)))
        self.fields["mailboxes"].help_text = (
            "The workspace's active mailboxes; an admin connects and configures them."
            if active.exists()
            else "The workspace has no active mailbox yet: ask an admin to connect one."
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("goal_start"), cleaned.get("goal_end")
        if start and end and start > end:
            self.add_error("goal_end", "The goal period must end after it starts.")
        opens, closes = cleaned.get("send_start"), cleaned.get("send_end")
        if opens and closes and opens >= closes:
            self.add_error("send_end", "The send window must close after it opens.")
        return cleaned


class SequenceStepForm(forms.ModelForm):
    class Meta:
        model = SequenceStep
        fields = ["intent", "delay_business_days", "guidance"]
        labels = {"delay_business_days": "Business days after the previous step"}
        widgets = {"guidance": forms.Textarea(attrs={"rows": 2})}


SequenceStepFormSet = forms.formset_factory(SequenceStepForm, extra=1, can_delete=True, max_num=10)


class AccountFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search name or domain")
    tier = forms.ChoiceField(required=False, choices=[("", "Any tier")])

    def __init__(self, *args, tiers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = [("", "Any tier"), *((tier, tier) for tier in tiers)]


# Audiences: lists and the lists a campaign uses -------------------------------------------------


class ContactListForm(forms.Form):
    """A new list; a dynamic one is its saved filter (checked again by campaigns.lists.clean_filter)."""

    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(choices=ContactList.Kind.choices, widget=forms.RadioSelect, initial="static")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    industry_contains = forms.CharField(max_length=120, required=False, label="Industry contains")
    countries = LinesField(lower=True, help_text="Two-letter country codes, one per line or comma-separated.")
    tiers = LinesField(label="Account tiers")
    employees_min = forms.IntegerField(min_value=0, required=False, label="Employees from")
    employees_max = forms.IntegerField(min_value=0, required=False, label="Employees up to")
    title_contains = forms.CharField(max_length=120, required=False, label="Job title contains")
    signal_kind = forms.ChoiceField(
        choices=[("", "Any or none"), *Signal.Kind.choices], required=False, label="Has a signal of kind"
    )
    signal_days = forms.IntegerField(min_value=1, required=False, label="…in the last this many days")

    FILTER_FIELDS = (
        "industry_contains",
        "countries",
        "tiers",
        "employees_min",
        "employees_max",
        "title_contains",
        "signal_kind",
        "signal_days",
    )

    def __init__(self, *args, filter_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if filter_only:  # editing a dynamic list's filter
            for name in ("name", "kind", "description"):
                del self.fields[name]

    @property
    def filter_fields(self):
        return [self[name] for name in self.FILTER_FIELDS]

    def filter(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.FILTER_FIELDS}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind", "dynamic") == "dynamic" and not self.errors:
            try:
                lists.clean_filter(self.filter())
            except forms.ValidationError as error:
                self.add_error(None, error)
        return cleaned


class CampaignAudienceListsForm(forms.Form):
    """Which lists narrow a campaign's audience (only their contacts) and which extend it."""

    narrow = forms.ModelMultipleChoiceField(
        queryset=ContactList.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Only contacts in these lists",
    )
    extend = forms.ModelMultipleChoiceField(
        queryset=ContactList.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Also contacts in these lists, even outside the ICP",
    )

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("narrow", "extend"):
            self.fields[name].queryset = ContactList.objects.filter(workspace=workspace).order_by("name")

    @classmethod
    def initial_for(cls, campaign) -> dict:
        rows = list(campaign.audience_lists.values_list("contact_list_id", "mode")) if campaign.pk else []
        return {
            "narrow": [list_id for list_id, mode in rows if mode == "narrow"],
            "extend": [list_id for list_id, mode in rows if mode == "extend"],
        }

    def clean(self):
        cleaned = super().clean()
        both = set(cleaned.get("narrow") or []) & set(cleaned.get("extend") or [])
        if both:
            names = ", ".join(sorted(contact_list.name for contact_list in both))
            raise forms.ValidationError(f"A list either narrows or extends the audience, not both: {names}.")
        return cleaned
