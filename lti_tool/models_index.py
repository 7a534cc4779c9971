"""Every model module, imported once so the metadata (and Alembic) knows every table."""

from __future__ import annotations

from microbridge.catalog.curation import models as _curation  # noqa: F401
from microbridge.catalog.employers import models as _employers  # noqa: F401
from microbridge.catalog.institutions import models as _institutions  # noqa: F401
from microbridge.catalog.portal import models as _portal  # noqa: F401
from microbridge.catalog.projects import models as _projects  # noqa: F401
from microbridge.config import mail as _mail  # noqa: F401
from microbridge.config import store as _store  # noqa: F401
from microbridge.config.database import Base
from microbridge.grading.passback import models as _passback  # noqa: F401
from microbridge.grading.people import models as _people  # noqa: F401
from microbridge.grading.placements import models as _placements  # noqa: F401
from microbridge.grading.reviews import models as _reviews  # noqa: F401
from microbridge.grading.work import models as _work  # noqa: F401
from microbridge.lti_tool.keys import models as _keys  # noqa: F401
from microbridge.lti_tool.registration import models as _registration  # noqa: F401
from microbridge.lti_tool.registry import models as _registry  # noqa: F401

metadata = Base.metadata
