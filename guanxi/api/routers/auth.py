import datetime

from django.contrib.auth import authenticate, user_login_failed
from django.utils.translation import gettext as _
from ninja import Router, Status

from guanxi.accounts import services as accounts
from guanxi.core.errors import DomainError

from ..common import AnonRateFromSetting, InputSchema

router = Router(tags=["auth"])


class TokenIn(InputSchema):
    username: str
    password: str
    otp: str | None = None


class TokenOut(InputSchema):
    token: str
    expires_at: datetime.datetime | None


class Unauthorized(DomainError):
    status = 401
    code = "unauthenticated"


@router.post("/token", auth=None, response={200: TokenOut}, throttle=[AnonRateFromSetting("GUANXI_API_TOKEN_RATE")])
def token(request, payload: TokenIn):
    """Exchange a username and password (and a two-factor code) for a bearer token."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        raise Unauthorized(_("The username or password is not right."))
    if accounts.needs_two_factor(user):
        if not payload.otp:
            raise Unauthorized(_("This account uses two-factor sign-in: send the code as “otp”."), field="otp")
        if accounts.totp_verify(user, payload.otp) is None:
            user_login_failed.send(sender=__name__, credentials={"username": payload.username}, request=request)
            raise Unauthorized(_("That code is not right."), field="otp")
    issued, raw = accounts.token_issue_for_login(user=user)
    return {"token": raw, "expires_at": issued.expires_at}


@router.post("/token/revoke", response={204: None})
def revoke(request):
    """Revoke the token this request was sent with."""
    raw = request.headers.get("Authorization", "")[7:].strip()
    accounts.token_revoke_raw(raw=raw)
    return Status(204, None)
