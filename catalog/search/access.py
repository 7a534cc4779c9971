"""Whose catalog a viewer may see: the institution of their launch, or of their curator account."""

from __future__ import annotations

from catalog.curation.access import current_curator
from config.web import UserFacingError, launch_identity, require_launch


def viewer_institution() -> int:
    """The institution whose catalog this person may see: from the launch or the curator."""
    identity = launch_identity()
    if identity is None:
        curator = current_curator()
        if curator is not None and curator.institution_id is not None:
            return curator.institution_id
        require_launch()
        raise AssertionError("unreachable")  # pragma: no cover
    if identity.institution_id is None:
        raise UserFacingError(
            "This LMS is not yet linked to an institution's catalog.",
            title="No catalog here yet",
            hint="Ask your LMS administrator to link this registration to an institution.",
            status=403,
        )
    return identity.institution_id
