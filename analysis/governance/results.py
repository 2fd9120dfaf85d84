"""What a contract check returns, and the verdict of a whole gate run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# exit codes of `strata check`
PASSED, FAILED, COULD_NOT_RUN = 0, 1, 2


@dataclass(frozen=True)
class CheckResult:
    """One check: its figure, the threshold it is held to, and the verdict.

    Attributes
    ----------
    check : str
        ``section.name`` (``nulls.text``, ``labels.allowed``), the JUnit test name.
    figure : float, int, str or None
        What was measured (a share in 0–1, a count, a type name); None when the check could not run.
    threshold : str
        The rule, in words (``≤ 1.0%``, ``= 0 rows``, ``string``).
    passed : bool or None
        None when the check could not run (``detail`` says why and what to do).
    unit : str
        ``share`` (shown as a percentage), ``rows``, ``columns``, ``accuracy``, ``type`` or ``date``.
    detail : str
        What a person reads next: the offending labels, columns, rows.
    """

    check: str
    figure: float | int | str | None
    threshold: str
    passed: bool | None
    unit: str = ""
    detail: str = ""

    @property
    def verdict(self) -> str:
        """``pass``, ``FAIL`` or ``ERROR``."""
        return {True: "pass", False: "FAIL", None: "ERROR"}[self.passed]

    @property
    def shown_figure(self) -> str:
        """The figure as a person reads it (a share as a percentage)."""
        f = self.figure
        if f is None:
            return "—"
        if self.unit in ("share", "accuracy") and isinstance(f, int | float):
            return f"{f:.2%}"
        if isinstance(f, int):
            return f"{f:,}"
        return str(f)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values, with the verdict."""
        return asdict(self) | {"verdict": self.verdict, "shown_figure": self.shown_figure}


def limit(check: str, value: float, maximum: float, unit: str, detail: str = "") -> CheckResult:
    """A check that passes when ``value ≤ maximum``."""
    shown = f"{maximum:.2%}" if unit == "share" else f"{maximum:g}"
    return CheckResult(check, value, f"≤ {shown}", value <= maximum, unit, detail)


def could_not_run(check: str, threshold: str, why: str) -> CheckResult:
    """A check that needs something the version lacks; ``why`` says what to do."""
    return CheckResult(check, None, threshold, None, "", why)


@dataclass
class GateResult:
    """Every check of a contract run on one version."""

    contract: str
    version: str
    version_id: int
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def failed(self) -> list[CheckResult]:
        """The checks whose figure broke the threshold."""
        return [c for c in self.checks if c.passed is False]

    @property
    def errors(self) -> list[CheckResult]:
        """The checks that could not run."""
        return [c for c in self.checks if c.passed is None]

    @property
    def passed(self) -> bool:
        """Every check ran and passed."""
        return not self.failed and not self.errors

    @property
    def exit_code(self) -> int:
        """0 when everything passed, 1 when a check failed, 2 when none failed but one could not run."""
        if self.failed:
            return FAILED
        return COULD_NOT_RUN if self.errors else PASSED

    def summary(self) -> dict[str, Any]:
        """The verdict in short, as an approval records it."""
        return {
            "contract": self.contract,
            "passed": self.passed,
            "failed": [c.check for c in self.failed],
            "errors": [c.check for c in self.errors],
        }

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return {
            "contract": self.contract,
            "version": self.version,
            "version_id": self.version_id,
            "passed": self.passed,
            "exit_code": self.exit_code,
            "checks": [c.as_dict() for c in self.checks],
        }
