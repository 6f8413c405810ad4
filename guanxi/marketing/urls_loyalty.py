"""Pages of the loyalty part of marketing (included by marketing/urls.py)."""

urlpatterns: list = []
