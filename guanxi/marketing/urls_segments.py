"""Pages of the segments part of marketing (included by marketing/urls.py)."""

urlpatterns: list = []
