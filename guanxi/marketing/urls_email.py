"""Pages of the email part of marketing (included by marketing/urls.py)."""

urlpatterns: list = []
