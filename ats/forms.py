"""What every form shares: the project's form renderer (settings.FORM_RENDERER) and the
"any" choice that leads a filter's list."""

from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _

# The first choice of an optional filter: no constraint.
ANY = ("", _("Any"))


class FormRenderer(TemplatesSetting):
    """Renders forms with the project's template engine, so `{{ field.as_field_group }}`
    gives every field the project's markup (templates/forms/field.html)."""

    field_template_name = "forms/field.html"
