"""Pages of the campaigns part of marketing (included by marketing/urls.py)."""

urlpatterns: list = []
