"""The REST API's routes: every app's router, mounted on the one API of `acorn.core.api`
(as `acorn/urls.py` mounts the apps' pages). `core` itself imports no app's API."""

from acorn.accounts.api import router as accounts_router
from acorn.audit.api import router as audit_router
from acorn.children.api import router as children_router
from acorn.core.api import api
from acorn.devices.api import router as devices_router
from acorn.eyfs.api import router as eyfs_router
from acorn.journal.api import router as journal_router
from acorn.leaving.api import router as leaving_router
from acorn.notices.api import router as notices_router
from acorn.org.api import router as org_router
from acorn.reports.api import router as reports_router
from acorn.suitability.api import router as suitability_router

for router in (
    accounts_router,
    org_router,
    suitability_router,
    children_router,
    journal_router,
    audit_router,
    devices_router,
    eyfs_router,
    leaving_router,
    reports_router,
    notices_router,
):
    api.add_router("", router)

__all__ = ["api"]
