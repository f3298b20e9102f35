# ruff: noqa: RUF001  (a demo CV in Serbian Cyrillic)
"""`python manage.py seed_demo`: demo postings, staff and applicants for `make run`.

Idempotent: postings are matched by slug, staff by username and applicants by email;
passwords are reset to the printed demo values on every run so what it prints always works.
Applicants go through the real apply service, so their CVs are in object storage and their
confirmation emails in the outbox. Refuses to run unless ATS_DEMO_MODE is on, so a
production database never gets accounts with published passwords.

It also shows the promise at work from the first minute, through the real services only: a
formally concluded posting whose unsuccessful applicants the purge has erased (their
entries in the erasure ledger), one applicant kept because they confirmed their consent,
and an open data-subject request from that applicant with days left to answer it. Each
step happens once: a concluded posting is never reopened, and a person who already made a
request makes no second one.
"""

import io
import zipfile
from datetime import timedelta
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from pypdf import PdfWriter

from notifications.models import OutboundEmail
from notifications.services import deliver_email
from recruitment.access import Actor
from recruitment.accounts.services import enrol_totp
from recruitment.careers.services import (
    ApplicantData,
    SourcedApplicant,
    record_sourced_application,
    submit_application,
)
from recruitment.cvs.checks import InspectedCv, inspect_cv
from recruitment.models import (
    Application,
    CandidateMessage,
    DataSubjectRequest,
    ErasureRecord,
    MessageTemplate,
    Posting,
    Question,
    RetentionConsent,
    Source,
    TeamMembership,
)
from recruitment.pipeline.services import messaging
from recruitment.pipeline.services.interviews import Details, schedule_interview
from recruitment.pipeline.services.notes import add_note
from recruitment.pipeline.services.postings import assign_interviewer
from recruitment.pipeline.services.stages import conclude_process, move_application
from recruitment.questions import services as questions
from recruitment.retention.services import purge
from recruitment.retention.services.consents import confirm_consent
from recruitment.rights.services.register import record_request

# The demo posting whose recruitment process is formally concluded (see CONCLUDED_APPLICANTS).
CONCLUDED_SLUG = "frontend-developer"

# The demo accounts' TOTP secret (base32). Published, like their passwords: demo mode only.
DEMO_TOTP_SECRET = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"
# username, password, superuser, groups, {posting slug: team role}
DEMO_STAFF: list[tuple[str, str, bool, list[str], dict[str, str]]] = [
    ("admin", "demo-admin-2026", True, [], {}),
    (
        "recruiter",
        "demo-recruiter-2026",
        False,
        ["Recruiters"],
        {
            "senior-python-developer": "recruiter",
            "devops-engineer": "recruiter",
            "qa-intern": "recruiter",
            CONCLUDED_SLUG: "recruiter",
        },
    ),
    ("manager", "demo-manager-2026", False, [], {"senior-python-developer": "hiring_manager"}),
    ("interviewer", "demo-interviewer-2026", False, [], {"senior-python-developer": "interviewer"}),
    ("privacy", "demo-privacy-2026", False, ["Privacy officers"], {}),
]

# Fictitious applicants on the first posting (example.com addresses), with their stages.
# The demo posting's own questions (issue 20): three kinds, one with a knock-out limit.
DEMO_QUESTIONS = [
    questions.QuestionData(
        kind="number",
        label="Years of professional experience with Python",
        required=True,
        category="employment",
        knockout_below=Decimal(2),
    ),
    questions.QuestionData(
        kind="yes_no",
        label="Can you work from our Belgrade office at least two days a week?",
        required=True,
        knockout_answers=("no",),
    ),
    questions.QuestionData(
        kind="multiple_choice",
        label="Which of these have you used in production?",
        help_text="Tick all that apply.",
        choices=("Django", "PostgreSQL", "Celery", "Redis"),
        category="employment",
    ),
]

DEMO_APPLICANTS = [
    ("Ana Kovačević", "ana.kovacevic@example.com", "interview", True),
    ("Marko Petrović", "marko.petrovic@example.com", "screening", False),
    ("Lejla Hadžić", "lejla.hadzic@example.com", "applied", False),
    ("Nikola Jovanović", "nikola.jovanovic@example.com", "offer", False),
    ("Ivana Marić", "ivana.maric@example.com", "unsuccessful", True),
    ("Emir Begić", "emir.begic@example.com", "applied", False),
    ("Jelena Simić", "jelena.simic@example.com", "screening", False),
]

# The formally concluded process: who applied, the stage each reached, and whether they
# ticked (and then confirmed) the talent-pool consent. Everyone not hired and not kept by
# that consent is erased by the purge once the process is concluded.
CONCLUDED_APPLICANTS = [
    ("Amra Delić", "amra.delic@example.com", "hired", False),
    ("Maja Kovač", "maja.kovac@example.com", "interview", True),
    ("Stefan Ilić", "stefan.ilic@example.com", "screening", False),
    ("Petra Horvat", "petra.horvat@example.com", "unsuccessful", False),
    ("Dino Mehić", "dino.mehic@example.com", "applied", False),
]
# Where demo applications came from: a posting link naming a source (`?source=`), or staff
# recording one received elsewhere (True; the person is emailed in the language given).
# Everyone else came through the careers site.
DEMO_PLATFORMS = [("linkedin", "LinkedIn")]
APPLICANT_SOURCES: dict[str, tuple[str, bool, str]] = {
    "marko.petrovic@example.com": ("linkedin", False, "en"),
    "nikola.jovanovic@example.com": ("referral", False, "en"),
    "emir.begic@example.com": ("email", True, "bs"),
    "jelena.simic@example.com": ("job-fair", True, "sr-latn"),
    "amra.delic@example.com": ("linkedin", False, "en"),
    "stefan.ilic@example.com": ("job-fair", True, "hr"),
    "dino.mehic@example.com": ("linkedin", False, "en"),
}


# The talent pool (issue 19): applicants to the DevOps posting whose CVs name their skills.
# The first three confirm their talent-pool consent and can be found by a skill inside
# their CV (one CV in Cyrillic, found by Latin queries too); the last one never consented
# and must not be found by any query, though her CV names the same skill.
POOL_SLUG = "devops-engineer"
POOL_APPLICANTS = [
    (
        "Vesna Radić",
        "vesna.radic@example.com",
        True,
        "Vesna Radić\nPlatform engineer\nKubernetes, Terraform, PostgreSQL replication, "
        "on-call for a payments platform",
    ),
    (
        "Ђорђе Стојановић",
        "djordje.stojanovic@example.com",
        True,
        "Ђорђе Стојановић\nСистем администратор\nKubernetes, Ansible, Prometheus, "
        "мониторинг и аутоматизација",
    ),
    (
        "Haris Mujić",
        "haris.mujic@example.com",
        True,
        "Haris Mujić\nSite reliability engineer\nGrafana, Loki, Elixir and Erlang services",
    ),
    (
        "Tea Not Consenting",
        "tea.noconsent@example.com",
        False,
        "Tea\nKubernetes, Terraform, Ansible, Prometheus, Erlang",
    ),
]
# The kept applicant asked, by email, for a copy of their data: an open access request.
REQUESTING_EMAIL = "maja.kovac@example.com"

DEMO_POSTINGS: list[dict[str, Any]] = [
    {
        "slug": "senior-python-developer",
        "title": "Senior Python Developer",
        "location": "Mostar, Bosnia and Herzegovina (hybrid)",
        "employment_type": Posting.EmploymentType.FULL_TIME,
        "summary": "Build the Django services behind our clients' operations platforms.",
        "description": (
            "You will design, build and run Django and Celery services for our clients.\n\n"
            "We look for five or more years of Python, solid SQL, and care for privacy "
            "and security. You will work in a small team that reviews every change."
        ),
        "status": Posting.Status.OPEN,
        "age_days": 2,
        "workplace": Posting.Workplace.HYBRID,
        "country": "BA",
        "remote_countries": ["BA", "HR"],
        "salary_min": Decimal("3500"),
        "salary_max": Decimal("5000"),
        "salary_currency": "BAM",
        "salary_period": Posting.SalaryPeriod.MONTH,
        "closes_in_days": 28,
    },
    {
        "slug": "devops-engineer",
        "title": "DevOps Engineer",
        "location": "Belgrade, Serbia",
        "employment_type": Posting.EmploymentType.FULL_TIME,
        "summary": "Keep our Linux, PostgreSQL and object-storage platforms fast and boring.",
        "description": (
            "You will automate infrastructure, run PostgreSQL and S3-compatible storage, "
            "and be on a fair on-call rotation.\n\nExperience with Linux and scripting required."
        ),
        "status": Posting.Status.OPEN,
        "age_days": 5,
        "country": "RS",
        "salary_min": Decimal("30000"),
        "salary_max": Decimal("42000"),
        "salary_currency": "EUR",
        "salary_period": Posting.SalaryPeriod.YEAR,
    },
    {
        "slug": "qa-intern",
        "title": "QA Intern",
        "location": "Mostar, Bosnia and Herzegovina",
        "employment_type": Posting.EmploymentType.INTERNSHIP,
        "summary": "Learn testing on real products with a mentor, six months, paid.",
        "description": (
            "A paid six-month internship: you will write automated tests and learn how we "
            "ship software.\n\nStudents in their final year are welcome."
        ),
        "status": Posting.Status.OPEN,
        "age_days": 9,
        "country": "BA",
        "salary_min": Decimal("800"),
        "salary_max": Decimal("800"),
        "salary_currency": "BAM",
        "salary_period": Posting.SalaryPeriod.MONTH,
        "closes_in_days": 14,
    },
    {
        "slug": "office-manager",
        "title": "Office Manager (part-time)",
        "location": "Belgrade, Serbia",
        "employment_type": Posting.EmploymentType.PART_TIME,
        "summary": "Run our Belgrade office twenty hours a week.",
        "description": "Organise the office, suppliers and visitors, twenty hours a week.",
        "status": Posting.Status.CLOSED,
        "age_days": 40,
    },
    {
        "slug": CONCLUDED_SLUG,
        "title": "Frontend Developer",
        "location": "Sarajevo, Bosnia and Herzegovina",
        "employment_type": Posting.EmploymentType.FULL_TIME,
        "summary": "Filled: build accessible, fast interfaces for our clients' customers.",
        "description": (
            "You built accessible interfaces with plain HTML, CSS and a little JavaScript.\n\n"
            "This position has been filled; the recruitment process is concluded."
        ),
        # Open while the seed applies to it; the seed then concludes it (and so closes it).
        "status": Posting.Status.OPEN,
        "age_days": 45,
    },
    {
        "slug": "data-engineer-draft",
        "title": "Data Engineer",
        "location": "Remote",
        "employment_type": Posting.EmploymentType.CONTRACT,
        "workplace": Posting.Workplace.REMOTE,
        "remote_countries": ["RS", "BA", "HR", "ME"],
        "summary": "Draft: not yet published.",
        "description": "Still being written.",
        "status": Posting.Status.DRAFT,
        "age_days": 0,
    },
]


class Command(BaseCommand):
    help = "Create demo postings and staff accounts (idempotent; needs ATS_DEMO_MODE=true)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("Refusing to create demo accounts: set ATS_DEMO_MODE=true.")
        now = timezone.now()
        for spec in DEMO_POSTINGS:
            values = {
                k: v for k, v in spec.items() if k not in {"slug", "age_days", "closes_in_days"}
            }
            closes_in_days = spec.get("closes_in_days")
            # Relative to each run, so that a rerun keeps the demo's postings open.
            values["valid_through"] = (
                now + timedelta(days=closes_in_days) if closes_in_days is not None else None
            )
            published = spec["status"] != Posting.Status.DRAFT
            values["published_at"] = now - timedelta(days=spec["age_days"]) if published else None
            values["closed_at"] = now if spec["status"] == Posting.Status.CLOSED else None
            if Posting.objects.filter(slug=spec["slug"], concluded_at__isnull=False).exists():
                # A concluded process stays concluded (and closed): never reopened by a rerun.
                del values["status"], values["closed_at"]
            Posting.objects.update_or_create(slug=spec["slug"], defaults=values)

        user_model = get_user_model()
        for username, password, superuser, groups, roles in DEMO_STAFF:
            user, _ = user_model.objects.get_or_create(username=username)
            user.is_staff = True
            user.is_superuser = superuser
            user.set_password(password)
            user.save()
            user.groups.set(Group.objects.filter(name__in=groups))
            # Every staff sign-in needs a second factor; the demo's is published (see below).
            enrol_totp(user, DEMO_TOTP_SECRET)
            for slug, role in roles.items():
                TeamMembership.objects.update_or_create(
                    posting=Posting.objects.get(slug=slug), user=user, defaults={"role": role}
                )
        for slug, name in DEMO_PLATFORMS:
            Source.objects.get_or_create(
                slug=slug, defaults={"name": name, "kind": Source.Kind.PLATFORM}
            )
        recruiter = user_model.objects.get(username="recruiter")
        self._seed_questions(recruiter)
        self._seed_applications(recruiter)
        concluded = self._seed_concluded_process(recruiter)
        self._seed_talent_pool(recruiter)
        self._seed_messages(recruiter)
        self._seed_open_request(user_model.objects.get(username="privacy"))

        open_count = Posting.objects.filter(status=Posting.Status.OPEN).count()
        self.stdout.write(f"Demo data ready: {open_count} open postings.")
        self.stdout.write("Staff accounts (log in at /staff/; admin also at /admin/):")
        for username, password, _superuser, groups, roles in DEMO_STAFF:
            what = ", ".join([*groups, *sorted(set(roles.values()))]) or "administrator"
            self.stdout.write(f"  {username} / {password}    ({what})")
        self.stdout.write(
            "Second factor: every demo account has an authenticator app with the secret "
            f"{DEMO_TOTP_SECRET} (add it to any TOTP app), or print the current code with "
            "`make demo-totp ACCOUNT=USERNAME` (`python manage.py demo_totp USERNAME` where "
            "the settings' environment is set)."
        )
        erased = ErasureRecord.objects.filter(posting_id=concluded.pk).count()
        self.stdout.write(
            f"Retention at work: the concluded {concluded.title} process, whose {erased} "
            "unsuccessful applications the purge erased (erasure ledger) and one it keeps with "
            "a confirmed consent, at /staff/retention/; an open access request at /staff/requests/."
        )

    def _seed_questions(self, recruiter: Any) -> None:
        """Three questions of different kinds on the demo posting, once (through the
        editor's service); the demo applicants answer them, one with a knock-out answer."""
        posting = Posting.objects.get(slug="senior-python-developer")
        if Question.objects.filter(posting=posting).exists():
            return
        actor = Actor(user=recruiter)
        for data in DEMO_QUESTIONS:
            questions.add_question(posting=posting, data=data, actor=actor)

    def _seed_applications(self, recruiter: Any) -> None:
        """Applies through the real service (CV in storage, outbox email), once per person."""
        posting = Posting.objects.get(slug="senior-python-developer")
        if not posting.accepts_applications:
            # Someone concluded the demo process (and its purge erased the applicants):
            # rerunning `make run` keeps that outcome rather than failing on it.
            self.stdout.write("The demo posting's process is concluded: no applicants added.")
            return
        actor = Actor(user=recruiter)
        interviewer = get_user_model().objects.get(username="interviewer")
        for name, email, stage, consents in DEMO_APPLICANTS:
            if Application.objects.filter(posting=posting, candidate__email=email).exists():
                continue
            application = _apply(posting, name=name, email=email, consents=consents, by=actor)
            if stage != Application.Stage.APPLIED:
                move_application(application_id=application.pk, to_stage=stage, actor=actor)
            if stage == Application.Stage.INTERVIEW:
                assign_interviewer(application=application, interviewer=interviewer, actor=actor)
                add_note(
                    application=application,
                    actor=actor,
                    kind="screening_call",
                    body="Clear communicator; strong PostgreSQL experience.",
                    rating=4,
                    scorecard="Communication 4/5, SQL 5/5",
                )
                self._seed_interview(application, actor=actor, interviewer=interviewer)

    def _seed_interview(self, application: Application, *, actor: Actor, interviewer: Any) -> None:
        """One interview arranged through the real service (invitations with calendar parts
        in the outbox), three days ahead at 10:00 in the jurisdiction's zone. Once."""
        if application.interviews.exists():
            return
        if not interviewer.email:
            interviewer.email = "interviewer@example.com"
            interviewer.save(update_fields=["email"])
        zone = ZoneInfo(settings.TIME_ZONE)
        day = (timezone.now() + timedelta(days=3)).astimezone(zone)
        schedule_interview(
            actor=actor,
            application_id=application.pk,
            details=Details(
                starts_at=day.replace(hour=10, minute=0, second=0, microsecond=0),
                duration_minutes=60,
                time_zone=settings.TIME_ZONE,
                kind="video",
                video_url="https://meet.example.com/demo-interview",
                note_for_candidate="We will talk about your PostgreSQL work; about an hour.",
                interviewer_ids=(interviewer.pk,),
            ),
        )

    def _seed_messages(self, recruiter: Any) -> None:
        """Issue 20: a built-in template sent to the applicant who applied in Serbian (in
        Serbian, through the outbox: the worker prints it) and her answer from the portal.
        Once: only while her thread is empty."""
        application = Application.objects.filter(
            posting__slug="senior-python-developer", candidate__email="jelena.simic@example.com"
        ).first()
        if application is None or CandidateMessage.objects.filter(application=application).exists():
            return
        template = MessageTemplate.objects.prefetch_related("texts").filter(builtin="talk").first()
        if template is None:
            return
        draft = messaging.template_draft(
            application=application, sender=recruiter, template=template
        )
        messaging.send_message(
            actor=Actor(user=recruiter),
            application_id=application.pk,
            subject=draft.subject,
            body=draft.body,
            template=template,
        )
        messaging.reply(
            candidate=application.candidate,
            application_id=application.pk,
            body="Hvala! Slobodna sam u utorak ili sredu posle podne.",
        )
        self.stdout.write(
            "Messages: Jelena Simić (applied in Serbian) got the template "
            f'"{template.name}" in Serbian and answered in her portal; see her application '
            "page, or write from it. Templates: /staff/message-templates/."
        )

    def _seed_talent_pool(self, recruiter: Any) -> None:
        """People in the talent pool, found by a skill inside their CV (and one who never
        consented, whom no query finds), through the real apply service. Once per person."""
        posting = Posting.objects.get(slug=POOL_SLUG)
        if not posting.accepts_applications:
            return
        for name, email, consents, cv_text in POOL_APPLICANTS:
            if Application.objects.filter(posting=posting, candidate__email=email).exists():
                continue
            application = _apply(
                posting,
                name=name,
                email=email,
                consents=consents,
                by=Actor(user=recruiter),
                cv=_demo_docx(cv_text),
            )
            for consent in RetentionConsent.objects.filter(application=application):
                # What the owner of the address does with the link in their email.
                confirm_consent(candidate=application.candidate, consent_id=consent.pk)
        self.stdout.write(
            "Talent pool: search /staff/pool/ as the recruiter for a skill inside a CV "
            '("kubernetes", "ansible", or "monitoring", written in Cyrillic in one CV), '
            "then invite a person found to another open posting; the email's link (printed by "
            "the worker's console) opens that posting's form, filled in."
        )

    def _seed_concluded_process(self, recruiter: Any) -> Posting:
        """Applies to the concluded posting, confirms one consent, concludes the process and
        runs the purge on it, all through the services; returns the posting.

        Rerun-safe: applicants are added only while the process is open, conclusion and the
        sweep are rerun-safe themselves, and once everyone due is erased a rerun erases none.
        """
        posting = Posting.objects.get(slug=CONCLUDED_SLUG)
        actor = Actor(user=recruiter)
        if posting.accepts_applications:
            for name, email, stage, consents in CONCLUDED_APPLICANTS:
                application = (
                    Application.objects.filter(posting=posting, candidate__email=email)
                    .select_related("candidate")
                    .first()
                )
                if application is None:
                    application = _apply(
                        posting, name=name, email=email, consents=consents, by=actor
                    )
                    if stage != Application.Stage.APPLIED:
                        move_application(application_id=application.pk, to_stage=stage, actor=actor)
                for consent in RetentionConsent.objects.filter(application=application):
                    # What the owner of the address does with the link in their email.
                    confirm_consent(candidate=application.candidate, consent_id=consent.pk)
            conclude_process(
                posting=posting,
                actor=actor,
                reject_remaining=True,
                reason="The position has been filled.",
            )
        # The purge waits for a candidate's last email to go out: send them (as the worker
        # would) so the erasure happens now, not a day after `make run` starts.
        subjects = list(
            Application.objects.filter(posting=posting).values_list("pk", "candidate_id")
        )
        pending = OutboundEmail.objects.filter(
            subject_ref__in=[ref for pair in subjects for ref in pair],
            status=OutboundEmail.Status.PENDING,
        ).values_list("pk", flat=True)
        for email_id in pending:
            deliver_email(email_id=email_id)
        purge.sweep(posting_id=posting.pk)
        return posting

    def _seed_open_request(self, officer: Any) -> None:
        """The kept applicant's access request, received by email a few days ago and still
        open. Recorded once per person: a rerun after it was answered adds no other."""
        application = Application.objects.filter(
            posting__slug=CONCLUDED_SLUG, candidate__email=REQUESTING_EMAIL
        ).first()
        if application is None:  # erased meanwhile (e.g. their consent was withdrawn)
            return
        if DataSubjectRequest.objects.filter(candidate_id=application.candidate_id).exists():
            return
        # A third of the deadline gone: due in about three weeks at the default 30 days.
        elapsed = timedelta(days=settings.PRIVACY_REQUEST_DEADLINE_DAYS // 3)
        record_request(
            candidate=application.candidate,
            kind=DataSubjectRequest.Kind.ACCESS,
            channel=DataSubjectRequest.Channel.EMAIL,
            details="Asked by email for a copy of the data kept about them.",
            received_at=timezone.now() - elapsed,
            actor=Actor(user=officer),
        )


def _apply(
    posting: Posting,
    *,
    name: str,
    email: str,
    consents: bool,
    by: Actor,
    cv: bytes | None = None,
) -> Application:
    """One application through the real apply service (CV in storage, email in the outbox),
    from the source APPLICANT_SOURCES names: through a posting link naming it, or recorded
    by staff (`by`) on the person's behalf (then they never consent: only they can). `cv`:
    a Word document's bytes, else a small PDF."""
    pdf = cv if cv is not None else _demo_cv()
    cv_filename = f"{name} CV.{'docx' if cv is not None else 'pdf'}"
    source, recorded, language = APPLICANT_SOURCES.get(email, ("careers", False, "en"))
    cover_letter = "I would like to build privacy-respecting software with you."
    answers = _demo_answers(posting, email)
    if recorded:
        return record_sourced_application(
            posting=posting,
            applicant=SourcedApplicant(
                full_name=name,
                email=email,
                phone="",
                cover_letter=cover_letter,
                language=language,
                source=source,
                answers=answers,
            ),
            cv=io.BytesIO(pdf),
            cv_filename=cv_filename,
            inspected=_inspected(pdf),
            actor=by,
        )
    with translation.override(language):
        return submit_application(
            posting=posting,
            applicant=ApplicantData(
                full_name=name,
                email=email,
                phone="",
                cover_letter=cover_letter,
                consents_to_talent_pool=consents,
                language=language,
                source=source,
                answers=answers,
            ),
            cv=io.BytesIO(pdf),
            cv_filename=cv_filename,
            inspected=_inspected(pdf),
        )


def _inspected(pdf: bytes) -> InspectedCv:
    """The demo CV checked, with its text read at once (an upload's is read by the worker
    moments later): the demo's people are found by their skills as soon as it is up."""
    return inspect_cv(io.BytesIO(pdf), max_bytes=len(pdf), read_text=True)


def _demo_answers(posting: Posting, email: str) -> questions.GivenAnswers:
    """Answers to the posting's current questions, as a demo applicant gives them: each
    by its kind; Emir has only one year of Python, a knock-out answer the board then
    flags for review (and nothing else happens to his application)."""
    posting.refresh_from_db(fields=["questions_fingerprint"])
    asked = Question.objects.filter(posting=posting, retired_at__isnull=True)
    low = email.startswith("emir.")
    values: dict[int, Any] = {}
    for question in asked:
        if question.kind == Question.Kind.NUMBER:
            values[question.pk] = "1" if low else "6"
        elif question.kind == Question.Kind.YES_NO:
            values[question.pk] = "yes"
        elif question.kind == Question.Kind.MULTIPLE_CHOICE:
            values[question.pk] = list(question.choices[:2])
        elif question.kind == Question.Kind.SINGLE_CHOICE:
            values[question.pk] = question.choices[0]
        else:
            values[question.pk] = "Belgrade"
    return questions.GivenAnswers(
        fingerprint=posting.questions_fingerprint, questions=tuple(asked), values=values
    )


def _demo_cv() -> bytes:
    """A small, valid one-page PDF built in memory (nothing committed to the repository)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _demo_docx(text: str) -> bytes:
    """A small Word document whose body is `text` (a paragraph per line), built in memory."""
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    body = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{escape(line)}</w:t></w:r></w:p>'
        for line in text.splitlines()
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{main}"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{relationships}/officeDocument" '
            'Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data.encode())
    return buffer.getvalue()
