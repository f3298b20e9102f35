"""The project's form renderer (settings.FORM_RENDERER)."""

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Renders forms with the project's template engine, so `{{ field.as_field_group }}`
    gives every field the project's markup (templates/forms/field.html)."""

    field_template_name = "forms/field.html"
