"""How a view hands heavy work to whoever owns the threads: ``runner(work, done)`` runs ``work()``
elsewhere (the window's job runner, :class:`app.jobs.JobRunner`) and calls ``done(result)`` in the
GUI thread; a newer call may replace an older one, whose ``done`` is then never called. A view
without a runner does the work itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Runner = Callable[[Callable[[], Any], Callable[[Any], None]], None]
