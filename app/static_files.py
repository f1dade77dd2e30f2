"""Static files that browsers revalidate before each use (their URLs carry no fingerprint)."""

from __future__ import annotations

import os

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

# The URLs stay the same when a file changes, so a browser may keep a copy but must ask first:
# the ETag and Last-Modified that StaticFiles sends make that a cheap 304.
CACHE_CONTROL = "no-cache"


class RevalidatedStaticFiles(StaticFiles):
    """StaticFiles whose answers (200 and 304) carry Cache-Control: no-cache."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        """The file (or 304 Not Modified) with the Cache-Control header."""
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = CACHE_CONTROL
        return response
