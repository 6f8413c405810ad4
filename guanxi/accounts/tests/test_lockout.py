"""Issue 11.10, SECURITY (Authentication): sign-in is throttled per account and per address."""

from django.test import Client

from guanxi.org.demo import DEMO_PASSWORD


def _login(username, password, address):
    return Client(REMOTE_ADDR=address).post("/accounts/login/", {"username": username, "password": password})


def test_many_usernames_from_one_address_lock_that_address(demo_org, settings):
    """SECURITY (Authentication, password spraying): failures across many usernames from one
    address lock the address, even for an account that never failed; other addresses go on."""
    sprayer = "203.0.113.7"
    for number in range(settings.GUANXI_LOGIN_ADDRESS_FAILURE_LIMIT):
        _login(f"guess{number}", "Spring2026!", sprayer)
    assert _login("zhuwei", DEMO_PASSWORD, sprayer).status_code == 429
    assert _login("zhuwei", DEMO_PASSWORD, "198.51.100.20").status_code == 302


def test_below_the_address_limit_an_office_behind_one_address_signs_in(demo_org, settings):
    """An office behind one NAT address: a few failures of several people lock nobody else."""
    office = "203.0.113.50"
    for username in ("liuyang", "zhuwei", "nobody"):
        _login(username, "typo", office)
    assert _login("liuyang", DEMO_PASSWORD, office).status_code == 302


def test_one_username_from_many_addresses_locks_the_account(demo_org, settings):
    """SECURITY (Authentication, distributed guessing): one account guessed from many
    addresses locks the account."""
    for number in range(settings.AXES_FAILURE_LIMIT):
        _login("liuyang", f"guess-{number}", f"198.51.100.{number + 1}")
    assert _login("liuyang", DEMO_PASSWORD, "192.0.2.99").status_code == 429


def test_a_successful_sign_in_does_not_clear_the_address_count(demo_org, settings):
    """An attacker with one valid account cannot reset the address counter by signing in."""
    sprayer = "203.0.113.9"
    for number in range(settings.GUANXI_LOGIN_ADDRESS_FAILURE_LIMIT - 1):
        _login(f"guess{number}", "Spring2026!", sprayer)
    assert _login("zhuwei", DEMO_PASSWORD, sprayer).status_code == 302
    _login("guess-last", "Spring2026!", sprayer)
    assert _login("zhuwei", DEMO_PASSWORD, sprayer).status_code == 429
