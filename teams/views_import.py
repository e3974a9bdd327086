"""The CSV import page (/people/import/): admins upload people or teams; every row is checked
first and the bad ones are listed with their line numbers, or everything is created."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.audit import Actor
from core.forms import apply_errors

from .importing import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    PEOPLE_OPTIONAL,
    PEOPLE_REQUIRED,
    TEAMS_OPTIONAL,
    TEAMS_REQUIRED,
    ImportFileError,
    ImportRowsInvalid,
    import_people_csv,
    import_teams_csv,
)

# A file with thousands of bad rows would make a huge page; the first ones show the pattern.
MAX_SHOWN_ERRORS = 500


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("people", "People"), ("teams", "Teams")],
        initial="people",
        widget=forms.RadioSelect,
        label="The file lists",
    )
    file = forms.FileField(
        label="CSV file (UTF-8)",
        help_text=f"At most {MAX_FILE_BYTES // 1024 // 1024} MB and {MAX_ROWS:,} rows.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    dry_run = forms.BooleanField(required=False, label="Only check the file (write nothing)")
    send_invites = forms.BooleanField(
        required=False, label="Email each new person an invitation (people only)"
    )


@require_http_methods(["GET", "POST"])
def people_import(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("teams.import_people"):
        raise PermissionDenied
    status = 200
    row_errors = []
    hidden_errors = 0
    result = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            kind = form.cleaned_data["kind"]
            dry_run = form.cleaned_data["dry_run"]
            try:
                if upload.size > MAX_FILE_BYTES:
                    # Refuse before reading the whole upload into memory.
                    raise ImportFileError(
                        f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is "
                        f"{MAX_FILE_BYTES // 1024 // 1024} MB. Split it into smaller files."
                    )
                data = upload.read(MAX_FILE_BYTES + 1)
                actor = Actor.from_request(request)
                if kind == "teams":
                    result = import_teams_csv(
                        actor=actor, data=data, dry_run=dry_run, source=upload.name
                    )
                else:
                    result = import_people_csv(
                        actor=actor,
                        data=data,
                        dry_run=dry_run,
                        send_invites=form.cleaned_data["send_invites"],
                        source=upload.name,
                    )
            except ImportFileError as exc:
                form.add_error("file", exc.file_message)
            except ImportRowsInvalid as exc:
                row_errors = exc.row_errors[:MAX_SHOWN_ERRORS]
                hidden_errors = len(exc.row_errors) - len(row_errors)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                if not dry_run:
                    messages.success(request, f"{upload.name}: {result.summary()}.")
                    return redirect("people-import")
        if result is None:
            status = 400
    else:
        form = ImportForm()
    return render(
        request,
        "teams/import.html",
        {
            "form": form,
            "result": result,
            "row_errors": row_errors,
            "error_count": len(row_errors) + hidden_errors,
            "hidden_errors": hidden_errors,
            "people_required": PEOPLE_REQUIRED,
            "people_optional": PEOPLE_OPTIONAL,
            "teams_required": TEAMS_REQUIRED,
            "teams_optional": TEAMS_OPTIONAL,
        },
        status=status,
    )
