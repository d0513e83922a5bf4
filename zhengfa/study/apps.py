from django.utils.translation import gettext_lazy as _

from zhengfa.core import registry


class StudyConfig(registry.ModuleConfig):
    name = "zhengfa.study"
    label = "study"
    verbose_name = _("Study and training")
