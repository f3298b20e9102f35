"""Reads of questions and answers. Callers scope the posting or application first
(recruitment.access): these never widen what the caller may see."""

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from recruitment.models import Answer, Application, Posting, Question


def asked_by(posting: Posting, *, fresh: bool = False) -> list[Question]:
    """The questions `posting` asks now, in order. No query when its row says it asks none
    (`questions_fingerprint` empty), unless `fresh` (the row may be older than a change)."""
    if not fresh and not posting.questions_fingerprint:
        return []
    return list(Question.objects.filter(posting=posting, retired_at__isnull=True))


def answers_of(application: Application) -> QuerySet[Answer]:
    """The application's answers with the exact question version each answered, in the
    order of the form (one query)."""
    return (
        Answer.objects.filter(application=application)
        .select_related("question")
        .order_by("question__position", "question__lineage", "question__version")
    )


def knockout_flag() -> Exists:
    """An expression for "has a knock-out answer", to annotate applications with."""
    return Exists(Answer.objects.filter(application=OuterRef("pk"), knocked_out=True))


def unreviewed_knockout() -> Q:
    """A filter for "a knock-out answer flagged it and no person has reviewed it yet"."""
    return Q(knockout_flag(), answers_reviewed_at__isnull=True)


def needs_review() -> ExpressionWrapper:
    """`unreviewed_knockout` as an expression, to annotate applications with."""
    return ExpressionWrapper(unreviewed_knockout(), output_field=BooleanField())


def retired_versions_of(posting: Posting) -> QuerySet[Question]:
    """Earlier versions of the posting's questions, kept for the answers given to them."""
    return Question.objects.filter(posting=posting, retired_at__isnull=False).order_by(
        "position", "lineage", "-version"
    )
