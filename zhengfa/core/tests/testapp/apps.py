from zhengfa.core import registry


class TestAppConfig(registry.ModuleConfig):
    """A module that exists only in tests, so that core's tests depend on no domain app."""

    name = "zhengfa.core.tests.testapp"
    label = "testapp"
