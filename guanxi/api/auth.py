from ninja.security import HttpBearer

from guanxi.accounts.services import token_authenticate


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>``: a personal access token or a login token."""

    def authenticate(self, request, token):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user
