"""Pages of CSV import (upload, column mapping, progress, row errors) and the contacts export."""

import csv

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from campaigns import csv_import, lists
from campaigns.models import ImportJob
from salesops.access import member_required
from salesops.models import Role

ERRORS_PER_PAGE = 50


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="The file holds",
        choices=ImportJob.Kind.choices,
        initial=ImportJob.Kind.CONTACTS,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(label="CSV file", help_text="UTF-8 or Windows-1252, comma or semicolon separated")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        csv_import.check_size(upload.size)
        return upload


def _get_job_for_member(request, job_id: int) -> ImportJob:
    try:
        return csv_import.import_job_get(workspace=request.workspace, job_id=job_id)
    except ImportJob.DoesNotExist:
        raise Http404 from None


def _csv_response(lines, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@member_required(Role.MANAGER)
@require_GET
def import_list(request):
    jobs = csv_import.import_jobs_recent(workspace=request.workspace)
    return render(request, "campaigns/imports/import_list.html", {"jobs": jobs})


@member_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def import_new(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = csv_import.import_job_create(
                membership=request.membership, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("campaigns:import_mapping", job_id=job.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "max_bytes": settings.SALESOPS_IMPORT_MAX_BYTES}
    return render(request, "campaigns/imports/import_new.html", context, status=status)


def _mapping_from(data, job: ImportJob) -> dict[str, str]:
    return {field.name: data.get(field.name, "") for field in csv_import.IMPORT_FIELDS[job.kind]}


@member_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def import_mapping(request, job_id: int):
    job = _get_job_for_member(request, job_id)
    if job.status != ImportJob.Status.UPLOADED:
        return redirect("campaigns:import_detail", job_id=job.pk)
    error, status = "", 200
    if request.method == "POST":
        mapping = _mapping_from(request.POST, job)
        try:
            csv_import.import_job_start(
                membership=request.membership,
                job=job,
                mapping=mapping,
                list_id=request.POST.get("add_to_list", ""),
                new_list_name=request.POST.get("new_list_name", ""),
            )
        except ValidationError as refusal:
            error, status = " ".join(refusal.messages), 400
        else:
            messages.success(request, f"Importing {job.original_name}.")
            return redirect("campaigns:import_detail", job_id=job.pk)
    elif request.htmx and any(field.name in request.GET for field in csv_import.IMPORT_FIELDS[job.kind]):
        mapping = _mapping_from(request.GET, job)  # the person is trying another mapping
    else:
        mapping = job.mapping
    missing = csv_import.missing_required_fields(job.kind, mapping)
    try:
        preview, preview_problem = csv_import.import_preview(job=job, mapping=mapping), ""
    except (OSError, UnicodeDecodeError, csv.Error) as problem:
        preview, preview_problem = [], f"The stored file cannot be read: {problem}"
    mapped_columns = set(mapping.values())
    context = {
        "job": job,
        "fields": [(field, mapping.get(field.name, "")) for field in csv_import.IMPORT_FIELDS[job.kind]],
        "preview_fields": [field for field in csv_import.IMPORT_FIELDS[job.kind] if mapping.get(field.name)],
        "preview": preview,
        "preview_problem": preview_problem,
        "unmapped_columns": [header for header in job.headers if header not in mapped_columns],
        "missing_message": csv_import.missing_columns_message(job.kind, missing) if missing else "",
        "error": error,
        "encoding": csv_import.ENCODING_LABELS.get(job.encoding, job.encoding),
        "delimiter": csv_import.DELIMITER_LABELS.get(job.delimiter, job.delimiter),
        "static_lists": lists.static_lists(workspace=request.workspace) if job.kind == ImportJob.Kind.CONTACTS else [],
        "chosen_list": request.POST.get("add_to_list", ""),
        "new_list_name": request.POST.get("new_list_name", ""),
    }
    template = "campaigns/imports/import_mapping.html"
    if request.htmx and request.method == "GET":
        template += "#preview"
    return render(request, template, context, status=status)


@member_required(Role.MANAGER)
@require_GET
def import_detail(request, job_id: int):
    job = _get_job_for_member(request, job_id)
    running = job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
    errors_page = None
    if not running:
        errors_page = Paginator(csv_import.import_row_errors(job=job), ERRORS_PER_PAGE).get_page(
            request.GET.get("page")
        )
    context = {"job": job, "running": running, "errors_page": errors_page}
    template = "campaigns/imports/import_detail.html"
    if request.htmx:
        template += "#job-status"
    return render(request, template, context)


@member_required(Role.MANAGER)
@require_GET
def import_errors_csv(request, job_id: int):
    job = _get_job_for_member(request, job_id)
    return _csv_response(csv_import.import_errors_csv_lines(job=job), f"import-{job.pk}-errors.csv")


@member_required(Role.MANAGER)
@require_GET
def contacts_export(request):
    lines = csv_import.contacts_export(membership=request.membership)
    return _csv_response(lines, f"contacts-{timezone.localdate():%Y-%m-%d}.csv")
