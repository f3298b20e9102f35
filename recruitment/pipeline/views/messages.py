"""Messages to candidates (issue 20): writing to one candidate (with a preview in their
language), to several from the board, the templates, and each person's notification choice."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from recruitment import access
from recruitment.models import Application, MessageTemplate
from recruitment.pipeline.forms import (
    BulkMessageForm,
    MessageForm,
    MessageTemplateForm,
    NotificationSettingForm,
)
from recruitment.pipeline.services import digest, messaging, templates
from recruitment.staff import actor_from, deciding_application, safe_next, staff_view


@staff_view
@require_http_methods(["GET", "POST"])
def compose(request: HttpRequest, pk: Any) -> HttpResponse:
    """GET: the form (a template's text in the candidate's language when `?template=` names
    one). POST "preview": the message as the candidate would get it. POST "send": sends."""
    application = deciding_application(request, pk)
    refusal = messaging.refusal_for(application)
    preview = None
    if request.method == "GET":
        form = MessageForm(initial=_template_initial(request, application))
    else:
        form = MessageForm(request.POST)
        if refusal:
            messages.error(request, refusal)
        elif form.is_valid():
            data = form.cleaned_data
            try:
                if request.POST.get("action") == "send":
                    messaging.send_message(
                        actor=actor_from(request),
                        application_id=application.pk,
                        subject=data["subject"],
                        body=data["body"],
                        template=data["template"],
                    )
                    messages.success(request, _("Message queued for the candidate."))
                    return redirect(reverse("staff:application", kwargs={"pk": pk}) + "#h-messages")
                preview = messaging.render(
                    application=application,
                    sender=request.user,
                    subject=data["subject"],
                    body=data["body"],
                )
            except messaging.MessageRefused as refused:
                form.add_error(None, str(refused.message))
    return render(
        request,
        "staff/message_compose.html",
        {
            "application": application,
            "posting": application.posting,
            "form": form,
            "preview": preview,
            "refusal": refusal,
            "language": dict(settings.LANGUAGES).get(application.language, application.language),
            "placeholders": templates.PLACEHOLDERS,
            "can_edit_templates": access.can_edit_message_templates(request.user),
        },
    )


def _template_initial(request: HttpRequest, application: Application) -> dict[str, Any]:
    """The chosen template's text in the candidate's language, to edit before sending."""
    chosen = request.GET.get("template", "")
    if not chosen.isdigit():
        return {}
    template = MessageTemplate.objects.prefetch_related("texts").filter(pk=int(chosen)).first()
    if template is None:
        return {}
    text = templates.text_for(template, application.language)
    if text is None:
        return {"template": template.pk}
    return {"template": template.pk, "subject": text.subject, "body": text.body}


@staff_view
@require_POST
def bulk(request: HttpRequest, pk: int) -> HttpResponse:
    """One template to the applications selected on the board, each candidate in their
    language; the page lists who got it and who was skipped, and why."""
    posting = get_object_or_404(access.postings_visible_to(request.user), pk=pk)
    if not access.can_decide(request.user, posting):
        raise PermissionDenied
    visible = access.applications_visible_to(request.user).filter(posting=posting)
    form = BulkMessageForm(request.POST, applications=visible.select_related("candidate"))
    if not request.POST.get("template") and not form.has_error("applications"):
        # From the board: the selection, and now the template to send them.
        return render(
            request,
            "staff/message_bulk_choose.html",
            {
                "posting": posting,
                "selected": form.cleaned_data["applications"],
                "templates": MessageTemplate.objects.all(),
            },
        )
    if not form.is_valid():
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, str(message))
        return redirect(safe_next(request) or reverse("staff:pipeline", kwargs={"pk": posting.pk}))
    outcomes = messaging.send_bulk(
        actor=actor_from(request),
        posting=posting,
        applications=visible.filter(pk__in=[a.pk for a in form.cleaned_data["applications"]]),
        template=form.cleaned_data["template"],
    )
    return render(
        request,
        "staff/message_bulk_result.html",
        {
            "posting": posting,
            "template": form.cleaned_data["template"],
            "sent": [o for o in outcomes if o.message is not None],
            "skipped": [o for o in outcomes if o.message is None],
        },
    )


def _template_editor(request: HttpRequest) -> None:
    """Admins and recruiters; for anyone else the pages do not exist (like the pool's)."""
    if not access.can_edit_message_templates(request.user):
        raise Http404


@staff_view
@require_http_methods(["GET"])
def template_list(request: HttpRequest) -> HttpResponse:
    _template_editor(request)
    return render(
        request,
        "staff/message_templates.html",
        {"templates": MessageTemplate.objects.all(), "placeholders": templates.PLACEHOLDERS},
    )


@staff_view
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _template_editor(request)
    template = None
    initial: dict[str, Any] = {}
    if pk is not None:
        template = get_object_or_404(MessageTemplate.objects.prefetch_related("texts"), pk=pk)
        initial = {"name": template.name}
        for text in template.texts.all():
            initial[f"subject_{text.language}"] = text.subject
            initial[f"body_{text.language}"] = text.body
    form = MessageTemplateForm(
        request.POST or None, initial=initial, languages=list(settings.LANGUAGES)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        texts = {
            code: templates.Text(data[f"subject_{code}"], data[f"body_{code}"])
            for code, _name in settings.LANGUAGES
            if data.get(f"subject_{code}") or data.get(f"body_{code}")
        }
        duplicate = MessageTemplate.objects.filter(name=data["name"])
        if template is not None:
            duplicate = duplicate.exclude(pk=template.pk)
        if duplicate.exists():
            form.add_error("name", _("Another template has this name."))
        else:
            try:
                templates.save_template(
                    actor=actor_from(request), name=data["name"], texts=texts, template=template
                )
            except ValidationError as invalid:
                for error in invalid.messages:
                    form.add_error(None, error)
            else:
                messages.success(request, _("Template saved."))
                return redirect("staff:message_templates")
    return render(
        request,
        "staff/message_template_form.html",
        {"form": form, "template": template, "placeholders": templates.PLACEHOLDERS},
    )


@staff_view
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Everyone's own choice: at once, daily, or off (it matters for the postings they
    recruit for), and the language of the emails they get."""
    setting = digest.setting_for(request.user)
    form = NotificationSettingForm(
        request.POST or None,
        initial={"frequency": setting.frequency, "language": setting.language},
    )
    if request.method == "POST" and form.is_valid():
        digest.choose_frequency(user=request.user, frequency=form.cleaned_data["frequency"])
        digest.choose_email_language(user=request.user, language=form.cleaned_data["language"])
        messages.success(request, _("Your notification setting is saved."))
        return redirect("staff:notifications")
    return render(
        request,
        "staff/notifications.html",
        {"form": form, "can_edit_templates": access.can_edit_message_templates(request.user)},
    )
