from tests.choices.conftest import chooser, settings  # noqa: F401  (the choice course fixtures)
