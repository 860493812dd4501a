from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from core.csvio import UnreadableFile, decode_upload
from core.forms import BaseForm, BaseFormMixin

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class SignInForm(BaseFormMixin, AuthenticationForm):
    submit_label = "Sign in"
    error_messages = {
        "invalid_login": "Enter a correct email address and password. Both are case-sensitive except the email.",
        "inactive": "This account is not active. Ask your administrator.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email address"
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        # GOV.UK pattern: no autofocus; screen-reader users start at the top of the page.
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["username"].error_messages["required"] = "Enter your email address"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self._setup_helper()

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class CaseloadUploadForm(BaseForm):
    submit_label = "Check the file"
    file = forms.FileField(
        label="Caseload CSV file",
        help_text="UTF-8 CSV with the columns of the template. Nothing is imported until you confirm.",
        error_messages={"required": "Choose a CSV file to check"},
    )
    full_extract = forms.BooleanField(
        required=False,
        label="This is a full extract of every open case",
        help_text="Open case files missing from the file will be flagged 'not in the latest extract' for you to "
        "confirm. Nothing is closed automatically.",
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file must be smaller than 50 MB")
        try:
            return decode_upload(upload.read())
        except UnreadableFile as exc:
            raise forms.ValidationError(str(exc)) from None
