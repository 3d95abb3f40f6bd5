"""The game screen's panes, one widget per tab. Each draws from the shared ``LiveGame`` and turns what the
user asks for into a typed command carried by a Textual message; the screen sends it."""

from ..notice import Notice
from .briefing import BriefingPane, InjectCards
from .channels import ChannelsPane
from .control import ControlPane
from .dashboard import DashboardPane
from .game_over import GameOverScreen, game_over_text
from .orders import OrdersPane
from .proposals import ProposalsPane
from .results import ResultsLog

__all__ = [
    "BriefingPane",
    "ChannelsPane",
    "ControlPane",
    "DashboardPane",
    "GameOverScreen",
    "InjectCards",
    "Notice",
    "OrdersPane",
    "ProposalsPane",
    "ResultsLog",
    "game_over_text",
]
