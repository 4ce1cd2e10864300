"""URLs of CSV import and export (names live in the campaigns namespace)."""

urlpatterns: list = []
