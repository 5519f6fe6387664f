"""The upload form of the admin import page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminFileFieldWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextInputWidget,
    UnfoldBooleanSwitchWidget,
)

from guanxi.imports.models import ImportKind

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class RowImportForm(forms.Form):
    """A file and "dry run": the import pages of leads and opportunities, and the base of the
    ledger's import form."""

    file = forms.FileField(
        label=_("File"),
        # What imports.decode and imports.reader accept: the encodings, and the header row found
        # among the first ten rows.
        help_text=_(
            "CSV (UTF-8, UTF-16 with a byte-order mark, GBK/GB18030 or Big5) or Excel .xlsx; the "
            "header row may follow a few title rows."
        ),
        widget=UnfoldAdminFileFieldWidget,
    )
    dry_run = forms.BooleanField(
        label=_("Validate only (dry run)"),
        required=False,
        help_text=_("Check every row and report, but write nothing."),
        widget=UnfoldBooleanSwitchWidget,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".csv", ".txt", ".xlsx", ".xlsm")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 200 MB; use the command line."))
        return upload


class ImportForm(RowImportForm):
    field_order = ("kind", "file", "source", "dry_run")

    kind = forms.ChoiceField(
        label=_("What to import"), choices=ImportKind.choices, widget=UnfoldAdminSelectWidget
    )
    source = forms.CharField(
        label=_("Source system"),
        max_length=30,
        required=False,
        help_text=_(
            "Transactions and payments: where the external ids come from (PMS, POS…), for rows "
            "without a source column. Default: import."
        ),
        widget=UnfoldAdminTextInputWidget,
    )
