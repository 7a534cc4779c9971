"""Every model module, imported once so the metadata (and Alembic) knows every table."""

from __future__ import annotations

from catalog.credit_office import models as _credit_office  # noqa: F401
from catalog.curation import models as _curation  # noqa: F401
from catalog.employers import models as _employers  # noqa: F401
from catalog.institutions import models as _institutions  # noqa: F401
from catalog.portal import models as _portal  # noqa: F401
from catalog.projects import models as _projects  # noqa: F401
from config import mail as _mail  # noqa: F401
from config import notices as _notices  # noqa: F401
from config import store as _store  # noqa: F401
from config.database import Base
from grading.applications import models as _applications  # noqa: F401
from grading.choices import models as _choices  # noqa: F401
from grading.consent import models as _consent  # noqa: F401
from grading.credentials import models as _credentials  # noqa: F401
from grading.credit import models as _credit  # noqa: F401
from grading.milestones import models as _milestones  # noqa: F401
from grading.passback import models as _passback  # noqa: F401
from grading.people import models as _people  # noqa: F401
from grading.placements import models as _placements  # noqa: F401
from grading.profiles import models as _profiles  # noqa: F401
from grading.reviews import models as _reviews  # noqa: F401
from grading.submissions import models as _submissions  # noqa: F401
from grading.teams import models as _teams  # noqa: F401
from lti_tool.keys import models as _keys  # noqa: F401
from lti_tool.registration import models as _registration  # noqa: F401
from lti_tool.registry import models as _registry  # noqa: F401

metadata = Base.metadata
