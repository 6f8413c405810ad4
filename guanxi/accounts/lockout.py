"""Sign-in lock-out per account and per address (SECURITY: Authentication).

django-axes counts failures for each lock-out parameter (``username``, ``ip_address``)
and compares the largest count with one limit. An address needs a higher limit than an
account (an office signs in from one address), so each count is scaled to the account
limit before axes compares it. A successful sign-in clears the account's failures only:
an attacker with one valid account must not reset the counter of the address they spray from.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def _limit_for(parameter):
    if parameter == "ip_address":
        return settings.GUANXI_LOGIN_ADDRESS_FAILURE_LIMIT
    return settings.AXES_FAILURE_LIMIT


class AccountAndAddressHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None):
        """Return the failures of the most-failed parameter, in units of the account limit."""
        parameters = get_lockout_parameters(request, credentials)
        scaled = [0]
        for parameter, attempts in zip(parameters, self.get_user_attempts(request, credentials), strict=True):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            scaled.append(failures * settings.AXES_FAILURE_LIMIT // _limit_for(parameter))
        return max(scaled)

    def reset_user_attempts(self, request, credentials=None):
        username = get_client_username(request, credentials)
        deleted, _by_model = AccessAttempt.objects.filter(username=username).delete()
        return deleted
