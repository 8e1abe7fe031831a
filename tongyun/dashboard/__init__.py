"""
The programme dashboard (绿色幸福指数): its figures, composed from each
app's query functions (DESIGN §3) in figures; its page's charts and context
in page; the same figures as a workbook for the district in workbook
(tongyun.views.dashboard, dashboard_xlsx).

Every figure comes from the one function that computes it for every page
(DESIGN §5); this package only puts them side by side. The page and the
workbook read the same Dashboard, so they always agree.
"""

from .figures import (
    Dashboard,
    figures,
    may_download,
    resolution_definition,
    response_definition,
    satisfaction_definition,
)
from .page import charts, page
from .workbook import workbook

__all__ = [
    "Dashboard",
    "charts",
    "figures",
    "may_download",
    "page",
    "resolution_definition",
    "response_definition",
    "satisfaction_definition",
    "workbook",
]
