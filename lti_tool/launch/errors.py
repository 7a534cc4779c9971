"""Launch refusals written for people: what went wrong and what an administrator can do."""

from __future__ import annotations

from config.web import UserFacingError

ADMIN_HINT = (
    "Go back to your course and open the link again. If this keeps happening, "
    "ask your LMS administrator to check Microbridge's registration."
)


class LaunchRejected(UserFacingError):
    """A launch or login that Microbridge refuses; ``reason`` is a stable code for logs."""

    def __init__(
        self, reason: str, message: str, *, hint: str = ADMIN_HINT, status: int = 400
    ) -> None:
        super().__init__(message, title="Microbridge could not open", hint=hint, status=status)
        self.reason = reason


def unknown_platform(issuer: str, client_id: str) -> LaunchRejected:
    return LaunchRejected(
        "unknown_platform",
        f"This LMS is not registered with Microbridge (issuer {issuer or 'missing'}, "
        f"client id {client_id or 'missing'}).",
        hint="An administrator can register it with dynamic registration, the admin page, "
        "or `microbridge platform add`.",
    )


def expired_or_used() -> LaunchRejected:
    return LaunchRejected(
        "state_unknown",
        "This launch has expired or was already used. Launches must finish within "
        "10 minutes and each one works only once.",
        hint="Go back to your course and open the Microbridge link again.",
    )
