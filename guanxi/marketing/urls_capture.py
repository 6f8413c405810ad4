"""Pages of the capture part of marketing (included by marketing/urls.py)."""

urlpatterns: list = []
