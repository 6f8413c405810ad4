"""tickets, flows, kb-articles, surveys and calls (API.md; SRV-1 tickets, SRV-3 flows, SRV-5
knowledge base, SRV-6 surveys, SRV-7 intake by phone, ORG-3 scopes).

Tickets are read through the service selectors (out of scope: 404) and changed by the
service's guarded state changes; only status and assignee can be PATCHed, with If-Match.
Flows are configuration (service.manage); publishing freezes a new version. Calls are
posted by a telephony system with the token of an integration user holding
service.create; a repeated ``call_id`` answers 200 with the first record."""

from guanxi.api.common import domain_router

from . import calls, flows, knowledge, surveys, tickets

router = domain_router(
    "service", tickets.router, flows.router, knowledge.router, surveys.router, calls.router,
)
