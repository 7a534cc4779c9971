from tests.choices.conftest import chooser, settings  # noqa: F401  (the choice course fixtures)
from tests.notices.conftest import mailbox  # noqa: F401  (the real SMTP server)
