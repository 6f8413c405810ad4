"""Marketing models, one module per part (segments, campaigns, e-mail, loyalty, capture)."""

from .campaigns import (
    Campaign,
    CampaignExpense,
    CampaignStatus,
    CampaignTouch,
    TouchKind,
    TouchSource,
)
from .capture import *  # noqa: F403  (each part lists its models in __all__)
from .email import *  # noqa: F403
from .loyalty import *  # noqa: F403
from .segments import Segment, SegmentKind, SegmentMember

__all__ = ["Campaign", "CampaignExpense", "CampaignStatus", "CampaignTouch", "Segment", "SegmentKind", "SegmentMember", "TouchKind", "TouchSource"]
