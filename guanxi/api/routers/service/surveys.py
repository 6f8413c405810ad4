"""Surveys (SRV-6)."""


import datetime
from typing import ClassVar

from ninja import Field, Query, Router, Schema

from guanxi.service import selectors

from ...common import (
    ListParams,
    Page,
    listing,
    require_perm,
)
from ...routes import get_route

router = Router()


# --- surveys (SRV-6) ---------------------------------------------------------------------------
class SurveyOut(Schema):
    id: int
    ticket_id: int
    ticket_number: str
    sent_at: datetime.datetime
    answered_at: datetime.datetime | None
    rating: int | None = Field(description="1–5 once answered")
    comment: str
    agent_id: int | None
    department_id: int | None
    branch_id: int

    @staticmethod
    def resolve_ticket_number(obj):
        return obj.ticket.number


class SurveyPage(Page):
    items: list[SurveyOut]


class SurveyFilters(ListParams):
    answered: bool | None = None
    rating: int | None = Field(None, ge=1, le=5)
    agent_id: int | None = None
    branch_id: int | None = None

    lookups: ClassVar = {"rating": "rating", "agent_id": "agent_id", "branch_id": "branch_id"}
    sorts: ClassVar = {"sent_at", "id"}
    sort: ClassVar = "-sent_at"


@router.get("/surveys", response=SurveyPage)
def survey_list(request, params: Query[SurveyFilters]):
    """SRV-6: satisfaction results in the caller's scope (agent, branch)."""
    require_perm(request, "service.view")
    queryset = selectors.surveys_visible_to(request.user)
    if params.answered is not None:
        queryset = queryset.filter(answered_at__isnull=not params.answered)
    return listing(request, queryset, params)


get_route(router, "/surveys", name="survey", perm="service.view", out=SurveyOut, visible=selectors.surveys_visible_to)


