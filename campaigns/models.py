"""Strategy (ICPs, offers, policies, the proof library, campaigns) and the data agents reason over
(accounts, contacts, signals), plus how that data arrives (CSV imports, API keys)."""

from datetime import time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from campaigns.choices import SignalKind
from salesops.models import Workspace


class ICP(models.Model):
    """An ideal customer profile. Its content lives in immutable versions; campaigns point at one."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="icps")
    name = models.CharField(max_length=120)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "ICP"
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="icp_unique_name_per_workspace")]

    def __str__(self):
        return self.name


class ICPVersion(models.Model):
    """One saved state of an ICP. Never changed after it is written: a change is a new version."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    icp = models.ForeignKey(ICP, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    description = models.TextField(blank=True)
    industries = models.JSONField(default=list, blank=True)
    employee_min = models.PositiveIntegerField(null=True, blank=True)
    employee_max = models.PositiveIntegerField(null=True, blank=True)
    countries = models.JSONField(default=list, blank=True, help_text="ISO 3166 alpha-2 codes")
    persona_titles = models.JSONField(default=list, blank=True)
    persona_seniorities = models.JSONField(default=list, blank=True)
    persona_departments = models.JSONField(default=list, blank=True)
    # What makes an account "hot": signal kind -> weight (0 to 10).
    signal_weights = models.JSONField(default=dict, blank=True)
    excluded_domains = models.JSONField(default=list, blank=True, help_text="competitors and customers")
    excluded_industries = models.JSONField(default=list, blank=True)
    disqualifiers = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    # The fields that make up a version's content, in display order (history and diff use them).
    CONTENT_FIELDS = [
        "description",
        "industries",
        "employee_min",
        "employee_max",
        "countries",
        "persona_titles",
        "persona_seniorities",
        "persona_departments",
        "signal_weights",
        "excluded_domains",
        "excluded_industries",
        "disqualifiers",
        "notes",
    ]

    class Meta:
        ordering = ["icp", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["icp", "number"], name="icp_version_unique_number"),
            models.CheckConstraint(
                condition=Q(employee_min__isnull=True)
                | Q(employee_max__isnull=True)
                | Q(employee_min__lte=F("employee_max")),
                name="icp_version_employee_range_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.icp.name} v{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("ICP versions are immutable; save a new version instead")
        super().save(*args, **kwargs)

    def content(self) -> dict:
        return {field: getattr(self, field) for field in self.CONTENT_FIELDS}

    def labelled_signal_weights(self) -> list[tuple[str, int]]:
        """The weights under the signal kinds' labels, as a person reads them."""
        labels = dict(Signal.Kind.choices)
        return [(labels.get(kind, kind.replace("_", " ")), weight) for kind, weight in self.signal_weights.items()]


class Offer(models.Model):
    """What we sell and how we sound: value proposition, call to action, voice and the sender."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="offers")
    name = models.CharField(max_length=120)
    value_proposition = models.TextField()
    call_to_action = models.CharField(max_length=300)
    tone = models.CharField(max_length=200, blank=True, help_text="e.g. plain, warm, no hype")
    languages = models.JSONField(default=list, blank=True, help_text="language codes, first is the default")
    sender_name = models.CharField(max_length=120)
    signature = models.TextField()
    # Commercial email must carry the sender's postal address (CAN-SPAM and alike).
    postal_address = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="offer_unique_name_per_workspace")]

    def __str__(self):
        return self.name


class ProofPoint(models.Model):
    """An approved fact about our own company. Agents may state only these facts about us."""

    class Kind(models.TextChoices):
        CASE_STUDY = "case_study", "Case study"
        METRIC = "metric", "Metric"
        CUSTOMER = "customer", "Customer name"
        QUOTE = "quote", "Quote"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="proof_points")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    text = models.TextField(help_text="The fact exactly as agents may state it")
    customer_name = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=500, help_text="Where the fact is documented")
    may_name_publicly = models.BooleanField(default=False, help_text="The customer may be named in outreach")
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "is_active"], name="proof_ws_active_idx")]

    def __str__(self):
        return self.title


class Policy(models.Model):
    """What agents must never say or do, and what a person must decide."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="policies")
    name = models.CharField(max_length=120)
    forbidden_phrases = models.JSONField(default=list, blank=True)
    forbidden_topics = models.JSONField(default=list, blank=True)
    pricing_allowed = models.BooleanField(default=False)
    max_discount_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    allowed_link_domains = models.JSONField(default=list, blank=True)
    # Free-text conditions the router must send to a person ("legal or procurement", ...).
    escalation_rules = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "policies"
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="policy_unique_name_per_workspace"),
            models.CheckConstraint(
                condition=Q(max_discount_percent__gte=0) & Q(max_discount_percent__lte=100),
                name="policy_discount_is_a_percentage",
            ),
        ]

    def __str__(self):
        return self.name


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"

    class Autonomy(models.TextChoices):
        REVIEW_ALL = "review_all", "A person reviews every message"
        REVIEW_LOW_CONFIDENCE = "review_low_confidence", "A person reviews low-confidence messages"
        AUTONOMOUS = "autonomous", "Agents send on their own"

    class GoalMetric(models.TextChoices):
        QUALIFIED_MEETINGS = "qualified_meetings", "Qualified meetings booked"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(max_length=120)
    icp_version = models.ForeignKey(ICPVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, null=True, blank=True, related_name="campaigns")
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, null=True, blank=True, related_name="campaigns")
    goal_metric = models.CharField(max_length=32, choices=GoalMetric.choices, default=GoalMetric.QUALIFIED_MEETINGS)
    goal_target = models.PositiveIntegerField(default=0)
    goal_start = models.DateField(null=True, blank=True)
    goal_end = models.DateField(null=True, blank=True)
    autonomy = models.CharField(max_length=32, choices=Autonomy.choices, default=Autonomy.REVIEW_ALL)
    confidence_threshold = models.DecimalField(
        max_digits=3, decimal_places=2, default=0.8, validators=[MinValueValidator(0), MaxValueValidator(1)]
    )
    # High-value accounts always go to a person: by tier, or by size.
    high_value_tiers = models.JSONField(default=list, blank=True)
    high_value_min_employees = models.PositiveIntegerField(null=True, blank=True)
    daily_new_lead_limit = models.PositiveIntegerField(default=20, validators=[MaxValueValidator(10_000)])
    send_days = models.JSONField(default=list, blank=True, help_text="weekdays, 0 = Monday")
    send_start = models.TimeField(default=time(9, 0))
    send_end = models.TimeField(default=time(17, 0))
    stale_signal_days = models.PositiveIntegerField(default=90)
    # Enrolment rules (see Enrolment): a contact is in one exclusive sequence of the workspace at a time
    # unless a campaign opts into overlap; at most this many colleagues of one account are in sequence at
    # once, each started at least `colleague_spacing_days` after the one before.
    allow_sequence_overlap = models.BooleanField(
        default=False, help_text="May enrol contacts who are already in another campaign's sequence"
    )
    max_contacts_per_account = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    colleague_spacing_days = models.PositiveSmallIntegerField(default=3, validators=[MaxValueValidator(60)])
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="campaign_unique_name_per_workspace"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "active", "paused", "completed"]), name="campaign_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(autonomy__in=["review_all", "review_low_confidence", "autonomous"]),
                name="campaign_autonomy_valid",
            ),
            models.CheckConstraint(
                condition=Q(confidence_threshold__gte=0) & Q(confidence_threshold__lte=1),
                name="campaign_threshold_between_0_and_1",
            ),
            models.CheckConstraint(
                condition=Q(goal_start__isnull=True) | Q(goal_end__isnull=True) | Q(goal_start__lte=F("goal_end")),
                name="campaign_goal_period_ordered",
            ),
            models.CheckConstraint(condition=Q(send_start__lt=F("send_end")), name="campaign_send_window_ordered"),
            models.CheckConstraint(
                condition=Q(max_contacts_per_account__gte=1), name="campaign_account_limit_at_least_1"
            ),
        ]
        indexes = [models.Index(fields=["workspace", "status"], name="campaign_ws_status_idx")]

    def __str__(self):
        return self.name

    @property
    def send_day_names(self) -> list[str]:
        names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        return [names[day] for day in sorted(self.send_days) if 0 <= day <= 6]


class SequenceStep(models.Model):
    """One email of a campaign's sequence. A reply stops the sequence."""

    class Intent(models.TextChoices):
        INTRO = "intro", "Introduction"
        FOLLOW_UP = "follow_up", "Follow-up"
        BREAK_UP = "break_up", "Break-up"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    intent = models.CharField(max_length=16, choices=Intent.choices)
    delay_business_days = models.PositiveSmallIntegerField(default=0)
    guidance = models.TextField(blank=True, help_text="What this email should do, for the writer agent")

    class Meta:
        ordering = ["campaign", "position"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "position"], name="sequence_step_unique_position"),
            models.CheckConstraint(condition=Q(position__gte=1), name="sequence_step_position_from_1"),
        ]

    def __str__(self):
        return f"{self.campaign} step {self.position} ({self.intent})"


class Account(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="accounts")
    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=253, help_text="normalised: lower case, no scheme, no www.")
    industry = models.CharField(max_length=120, blank=True)
    employee_count = models.PositiveIntegerField(null=True, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 alpha-2")
    tier = models.CharField(max_length=40, blank=True)
    crm_id = models.CharField(max_length=100, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "domain"], name="account_unique_domain_per_workspace"),
            models.CheckConstraint(condition=Q(domain=models.functions.Lower("domain")), name="account_domain_lower"),
        ]
        indexes = [models.Index(fields=["workspace", "name"], name="account_ws_name_idx")]

    def __str__(self):
        return f"{self.name} ({self.domain})"


class Contact(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "New"
        IN_SEQUENCE = "in_sequence", "In sequence"
        REPLIED = "replied", "Replied"
        MEETING_BOOKED = "meeting_booked", "Meeting booked"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        BOUNCED = "bounced", "Bounced"
        DO_NOT_CONTACT = "do_not_contact", "Do not contact"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="contacts")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts")
    first_name = models.CharField(max_length=120, blank=True)
    last_name = models.CharField(max_length=120, blank=True)
    email = models.EmailField(max_length=254)
    title = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True, help_text="as given, e.g. +49 30 1234567")
    seniority = models.CharField(max_length=60, blank=True)
    department = models.CharField(max_length=120, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    linkedin_url = models.URLField(max_length=500, blank=True)
    crm_id = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    # Set by replies: "out of office until", "not now, try in Q1". No sequence email leaves before it.
    sequence_resume_on = models.DateField(null=True, blank=True)
    # Who suggested this contact (a referral in a reply), for the person who reviews the first email.
    referred_by = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "email"], name="contact_unique_email_per_workspace"),
            models.CheckConstraint(condition=Q(email=models.functions.Lower("email")), name="contact_email_lower"),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "new",
                        "in_sequence",
                        "replied",
                        "meeting_booked",
                        "unsubscribed",
                        "bounced",
                        "do_not_contact",
                    ]
                ),
                name="contact_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "status"], name="contact_ws_status_idx"),
            models.Index(fields=["account"], name="contact_account_idx"),
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>"

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email


class Signal(models.Model):
    """Something that happened to an account or a person: the grounding for what agents write."""

    Kind = SignalKind

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="signals")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="signals")
    contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="signals")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField()
    source = models.CharField(max_length=100)
    external_id = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    text = models.TextField(blank=True)
    url = models.URLField(max_length=1000, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "source", "external_id"], name="signal_unique_source_id_per_workspace"
            ),
        ]
        indexes = [models.Index(fields=["account", "-occurred_at"], name="signal_account_time_idx")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"


class ApiKey(models.Model):
    """A workspace's key for the JSON API. Only a hash is stored; the key is shown once."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="api_key_unique_name_per_workspace")]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ImportJob(models.Model):
    """One CSV upload: its column mapping, its progress and its outcome."""

    class Kind(models.TextChoices):
        ACCOUNTS = "accounts", "Accounts"
        CONTACTS = "contacts", "Contacts"
        SIGNALS = "signals", "Signals"

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Waiting for its column mapping"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="import_jobs")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    file = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    size_bytes = models.PositiveBigIntegerField(default=0)
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=1, blank=True)
    headers = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True, help_text="our field -> CSV column")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UPLOADED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_processed = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_failed = models.PositiveIntegerField(default=0)
    failure_reason = models.TextField(blank=True)
    # A contacts import may add every contact it creates or updates to a static list (a campaign's audience).
    contact_list = models.ForeignKey(
        "ContactList", on_delete=models.SET_NULL, null=True, blank=True, related_name="import_jobs"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at"], name="import_ws_time_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} import {self.original_name}"


class ImportRowError(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    row_number = models.PositiveIntegerField(help_text="as a spreadsheet shows it: the header is row 1")
    message = models.TextField()
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["job", "row_number"]
        indexes = [models.Index(fields=["job", "row_number"], name="import_error_job_row_idx")]

    def __str__(self):
        return f"row {self.row_number}: {self.message}"


# Audiences --------------------------------------------------------------------------------------


class ContactList(models.Model):
    """A named set of contacts that narrows or extends a campaign's audience.

    Static lists hold their members (from a CSV import, or picked on the accounts page); dynamic lists
    are a saved filter evaluated whenever the audience is read."""

    class Kind(models.TextChoices):
        STATIC = "static", "Static"
        DYNAMIC = "dynamic", "Dynamic (saved filter)"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="contact_lists")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.STATIC)
    description = models.TextField(blank=True)
    # A dynamic list's filter: the audience filter form's cleaned data (see campaigns/audience.py).
    filter = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="contact_list_unique_name_per_workspace"),
            models.CheckConstraint(condition=Q(kind__in=["static", "dynamic"]), name="contact_list_kind_valid"),
        ]

    def __str__(self):
        return self.name


class ContactListMember(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    contact_list = models.ForeignKey(ContactList, on_delete=models.CASCADE, related_name="members")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="list_memberships")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact_list", "contact"], name="contact_list_member_once"),
        ]
        indexes = [models.Index(fields=["contact"], name="list_member_contact_idx")]

    def __str__(self):
        return f"{self.contact_id} in {self.contact_list_id}"


class CampaignAudienceList(models.Model):
    """A list a campaign's audience is narrowed to (only contacts in it) or extended by (its contacts join
    even where the ICP's criteria do not match; exclusions, blocks and suppression still apply)."""

    class Mode(models.TextChoices):
        NARROW = "narrow", "Only contacts in this list"
        EXTEND = "extend", "Also contacts in this list"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="audience_lists")
    contact_list = models.ForeignKey(ContactList, on_delete=models.PROTECT, related_name="campaign_uses")
    mode = models.CharField(max_length=16, choices=Mode.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "contact_list"], name="campaign_audience_list_once"),
            models.CheckConstraint(condition=Q(mode__in=["narrow", "extend"]), name="campaign_audience_mode_valid"),
        ]

    def __str__(self):
        return f"{self.campaign_id} {self.mode} {self.contact_list_id}"


class Enrolment(models.Model):
    """A contact in a campaign's sequence. The planner writes one with the lead's first run; the database
    holds the enrolment rules against concurrent ticks and campaigns:

    - one active exclusive enrolment per contact in the workspace (a campaign that allows overlap enrols
      non-exclusively);
    - at most `max_contacts_per_account` active enrolments per account: each holds a numbered slot of its
      account, and a slot is held once."""

    class Status(models.TextChoices):
        ACTIVE = "active", "In sequence"
        ENDED = "ended", "Ended"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="enrolments")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="enrolments")
    # The account at enrolment: the slot is the account's. A contact who moves keeps the enrolment.
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="enrolments")
    account_slot = models.PositiveSmallIntegerField(null=True, blank=True)
    exclusive = models.BooleanField(default=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    # Why the planner picked this lead, one line ("fits: …; intent: …"), and how it scored.
    reason = models.CharField(max_length=500, blank=True)
    score = models.FloatField(null=True, blank=True)
    segment = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "contact"], name="enrolment_once_per_campaign"),
            models.UniqueConstraint(
                fields=["workspace", "contact"],
                condition=Q(status="active", exclusive=True),
                name="enrolment_one_exclusive_sequence",
            ),
            models.UniqueConstraint(
                fields=["account", "account_slot"],
                condition=Q(status="active", account_slot__isnull=False),
                name="enrolment_account_slot_held_once",
            ),
            models.CheckConstraint(condition=Q(status__in=["active", "ended"]), name="enrolment_status_valid"),
            models.CheckConstraint(
                condition=Q(account_slot__isnull=True) | Q(account_slot__gte=1), name="enrolment_slot_from_1"
            ),
            models.CheckConstraint(
                condition=(Q(status="active") & Q(ended_at__isnull=True))
                | (Q(status="ended") & Q(ended_at__isnull=False)),
                name="enrolment_ended_when_ended_at",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "status"], name="enrolment_ws_status_idx"),
            models.Index(fields=["account", "status"], name="enrolment_account_idx"),
            models.Index(fields=["campaign", "-started_at"], name="enrolment_campaign_idx"),
        ]

    def __str__(self):
        return f"{self.contact_id} in {self.campaign_id} ({self.status})"


class ContactBlock(models.Model):
    """A person's decision that no campaign picks this contact again ("do not contact", "off-target").
    Shown on the contact page; a manager may lift it (audited)."""

    class Reason(models.TextChoices):
        DO_NOT_CONTACT = "do_not_contact", "Do not contact"
        OFF_TARGET = "off_target", "Off-target"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="blocks")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.TextField(blank=True)
    # Where the decision was taken (an inbox item's id; the inbox lives in a layer above).
    source = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contact"], condition=Q(lifted_at__isnull=True), name="contact_block_one_standing"
            ),
            models.CheckConstraint(
                condition=Q(reason__in=["do_not_contact", "off_target"]), name="contact_block_reason_valid"
            ),
        ]
        indexes = [models.Index(fields=["workspace", "lifted_at"], name="contact_block_ws_idx")]

    def __str__(self):
        return f"{self.contact_id}: {self.reason}"


class CampaignLeadChoice(models.Model):
    """A manager's say over the planner's picks for one campaign: pin a contact (picked first) or
    exclude it (never picked by this campaign)."""

    class Choice(models.TextChoices):
        PIN = "pin", "Pinned"
        EXCLUDE = "exclude", "Excluded"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="lead_choices")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    choice = models.CharField(max_length=16, choices=Choice.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "contact"], name="campaign_lead_choice_once"),
            models.CheckConstraint(condition=Q(choice__in=["pin", "exclude"]), name="campaign_lead_choice_valid"),
        ]

    def __str__(self):
        return f"{self.campaign_id} {self.choice} {self.contact_id}"
