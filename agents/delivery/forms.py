"""Forms of the delivery pages (they validate; services write)."""

from django import forms

from agents.delivery.models import Mailbox, OutboundMessage
from campaigns.models import Campaign


class MailboxForm(forms.ModelForm):
    smtp_password = forms.CharField(
        label="SMTP password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored encrypted and never shown again. Leave empty to keep the current one.",
    )
    esp_api_key = forms.CharField(
        label="Provider API key",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="For sending through a provider. Stored encrypted and never shown again.",
    )
    imap_password = forms.CharField(
        label="IMAP password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored encrypted and never shown again. Leave empty to keep the current one.",
    )
    campaigns = forms.ModelMultipleChoiceField(
        queryset=Campaign.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Mailbox
        fields = [
            "from_name",
            "from_address",
            "reply_to_domain",
            "signature",
            "daily_cap",
            "warmup_started_on",
            "status",
            "campaigns",
            "transport",
            "smtp_host",
            "smtp_port",
            "smtp_username",
            "smtp_password",
            "smtp_security",
            "esp",
            "esp_api_key",
            "imap_host",
            "imap_port",
            "imap_use_ssl",
            "imap_username",
            "imap_password",
            "imap_folder",
        ]
        labels = {"warmup_started_on": "Warm-up started on", "daily_cap": "Daily cap"}
        help_texts = {
            "daily_cap": f"Emails a day once warm: {Mailbox.DEFAULT_DAILY_CAP} is a good start, "
            f"{Mailbox.HARD_MAX_DAILY_CAP} is the most any mailbox may send.",
            "warmup_started_on": f"From this day the mailbox sends {Mailbox.WARMUP_START} a day, "
            f"{Mailbox.WARMUP_STEP_PER_WEEK} more each week, up to its cap. Empty: already warm.",
        }
        widgets = {
            "signature": forms.Textarea(attrs={"rows": 3}),
            "warmup_started_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaigns"].queryset = Campaign.objects.filter(workspace=workspace).order_by("name")
        self.fields["daily_cap"].widget.attrs.update({"min": 1, "max": Mailbox.HARD_MAX_DAILY_CAP})
        # Reading replies over IMAP is optional: its port and folder fall back to the usual values.
        self.fields["imap_port"].required = False
        self.fields["imap_folder"].required = False

    def clean_imap_port(self):
        return self.cleaned_data["imap_port"] or 993

    def clean_imap_folder(self):
        return self.cleaned_data["imap_folder"] or "INBOX"

    def validate_unique(self):
        """The service checks the address per workspace (the form has no workspace field)."""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("transport") == Mailbox.Transport.SMTP and not cleaned.get("smtp_host"):
            self.add_error("smtp_host", "A mailbox with its own SMTP server needs the server's host name.")
        return cleaned


class TestEmailForm(forms.Form):
    to = forms.EmailField(label="Send a test email to")


class SuppressionAddForm(forms.Form):
    entry = forms.CharField(
        label="Email address or domain",
        max_length=254,
        help_text="e.g. ceo@example.com, or example.com for everyone there",
    )
    note = forms.CharField(label="Note", max_length=300, required=False)


class SuppressionImportForm(forms.Form):
    file = forms.FileField(
        label="File", help_text="A .csv or .txt file: one address or domain per line (or in the first column)."
    )
    note = forms.CharField(label="Note", max_length=300, required=False)


class SuppressionSearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=254)


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "All"), *OutboundMessage.Status.choices])
