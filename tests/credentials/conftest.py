from tests.work.conftest import canvas_course, course, flavour, settings

__all__ = ["canvas_course", "course", "flavour", "settings"]
