from django import forms
from django.contrib.auth.password_validation import validate_password

from salesops.models import Role


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.REP)


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150, required=False)
    password = forms.CharField(widget=forms.PasswordInput, label="Choose a password")

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_password(self):
        password = self.cleaned_data["password"]
        validate_password(password)
        return password


class AuditFilterForm(forms.Form):
    actor = forms.CharField(required=False)
    verb = forms.CharField(required=False)
    since = forms.DateTimeField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateTimeField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
