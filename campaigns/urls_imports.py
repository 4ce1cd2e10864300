"""URLs of CSV import and export (names live in the campaigns namespace)."""

from django.urls import path

from campaigns import views_imports

urlpatterns: list = [
    path("imports/", views_imports.import_list, name="import_list"),
    path("imports/new/", views_imports.import_new, name="import_new"),
    path("imports/<int:job_id>/", views_imports.import_detail, name="import_detail"),
    path("imports/<int:job_id>/mapping/", views_imports.import_mapping, name="import_mapping"),
    path("imports/<int:job_id>/errors.csv", views_imports.import_errors_csv, name="import_errors_csv"),
    path("contacts/export.csv", views_imports.contacts_export, name="contacts_export"),
]
