"""The privacy promise as a property (issue 15): a Hypothesis state machine over the services.

"If your application is unsuccessful, we will retain your personal data until the
recruitment process has been formally concluded. Any retention beyond that point will take
place only on the basis of your explicit consent." The machine applies, decides, concludes,
restricts, consents, holds, erases and lets time pass in generated orders, against real
PostgreSQL and a versioned SeaweedFS bucket, and after every step checks:

1. every application of a concluded posting that is not hired is due (the next sweep takes
   it), or kept by a basis the candidate sees in the portal (a consent they confirmed that
   covers it, a legal hold, a restriction they asked for); a kept-by-consent one is due when
   the latest covering consent expires;
2. nothing a basis covers is erased (checked around each sweep), and a sweep with storage up
   and the last emails delivered leaves nothing the promise lets go;
3. nobody's data is changed or kept longer by an action they did not confirm: each person's
   details, each application's, every consent, restriction, hold and purge date are what
   the model (tests/promise/rules.py) says from what each person confirmed;
   every request is closed only by its answer, or as "erased before it was answered", and
   is due at the end of the local day the rules compute (an extension only once its notice
   was sent in time); the officers were told of each voided extension and unanswered
   request (issue 16; a rule also reads the officer's page and the portal, which must show
   that same local day);
4. the bucket holds exactly one version of each CV row's object, and nothing else;
5. the erasure ledger verifies, with one record per erased application;
6. nothing of an erased application or person is left (emails, request texts);
7. nothing queued for someone reaches them after they restrict processing or object
   (messages, interview emails, invitations from the talent pool).

A rule also reads pending CV texts, as the worker does: never a restricted application's
or one about to be erased. Applying may lose the freeze a restriction owes the new
application (the database failing just after it is saved): the next sweep makes it good.

Each example runs in a transaction of its own, rolled back at its end, with every object it
stored erased, and on a clock of its own (`django.utils.timezone.now` patched): after-commit
callbacks never run, so the `sweep` rule stands in for the beat sweep.

Profiles: `make test` runs "promise" (40 examples of up to 30 steps, derandomized so that
the suite is repeatable; about 30 seconds); the "deep" one searches 1000 examples of up to 50
steps (about 20 minutes on two cores), with a fresh seed each time:

    HYPOTHESIS_PROFILE=deep make test PYTEST_ARGS="tests/promise/test_promise_model.py"

At the end of this module, sequences the machine found are replayed as ordinary tests.
"""

import contextlib
import io
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from unittest import mock
from uuid import UUID, uuid4

import pytest
from django.conf import settings as django_settings
from django.contrib.postgres.search import SearchQuery
from django.core.cache import cache as django_cache
from django.db import OperationalError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from notifications.models import OutboundEmail
from recruitment.access import Actor
from recruitment.careers.services import (
    ApplicantData,
    DuplicateApplication,
    PostingNotOpen,
    submit_application,
)
from recruitment.cvs import extraction, search_index, storage
from recruitment.cvs.checks import InspectedCv, inspect_cv
from recruitment.models import (
    DECIDED_STAGES,
    Application,
    Candidate,
    CandidateMessage,
    ConsentReminder,
    CurriculumVitae,
    DataExport,
    DataSubjectRequest,
    ErasureRecord,
    Interview,
    Invitation,
    LegalHold,
    PortalToken,
    Posting,
    RetentionConsent,
)
from recruitment.notices import services as privacy_texts
from recruitment.pipeline.services import interviews, messaging, postings
from recruitment.pipeline.services import stages as pipeline
from recruitment.pool import selectors as pool
from recruitment.pool.services import invitations
from recruitment.retention.services import consents, holds, ledger, purge, restrictions
from recruitment.retention.services import schedule as retention
from recruitment.rights.services import exports, portal_access, register, requests, self_service
from tests.factories import PostingFactory, UserFactory
from tests.hostile.pdf import valid_pdf
from tests.promise.rules import (
    AppModel,
    Clock,
    ConsentModel,
    HoldModel,
    PersonModel,
    PostingModel,
    PromiseModel,
    RequestModel,
    end_of_local_day,
    first_due_day,
    storage_fault,
)

Stage = Application.Stage
Kind = DataSubjectRequest.Kind
Channel = DataSubjectRequest.Channel

# --- Profiles --------------------------------------------------------------------------------

_COMMON: dict[str, Any] = {
    "deadline": None,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
    "print_blob": True,
}
# Registered for reference (`--hypothesis-profile` would load one for every test); the test
# passes its profile to the machine itself, so other tests keep their own settings.
hypothesis_settings.register_profile(
    "promise", max_examples=40, stateful_step_count=30, derandomize=True, **_COMMON
)
hypothesis_settings.register_profile("deep", max_examples=1000, stateful_step_count=50, **_COMMON)
PROFILE_NAME = "deep" if os.environ.get("HYPOTHESIS_PROFILE") == "deep" else "promise"
PROFILE = hypothesis_settings.get_profile(PROFILE_NAME)

# A fixed start, so that a replayed example meets the same calendar (month lengths, DST):
# 00:20 local on 30 March 2031, still 29 March in UTC, 40 minutes before summer time begins
# (02:00 local). Requests received now are due on a local day a UTC count gets wrong, and
# consent months and due dates run across both daylight-saving changes.
START = datetime(2031, 3, 29, 23, 20, tzinfo=UTC)
STEP = timedelta(seconds=1)  # each step takes a second: nothing happens twice at one instant
NAMES = ["Ana Kovačević", "Marko Marković", "Jelena Petrović"]  # each example's three people
CORRECTED = ["Ana K. Horvat", "Marko M. Jurić", "Lejla Begović"]
STAGES = [Stage.SCREENING, Stage.INTERVIEW, Stage.OFFER, Stage.HIRED, Stage.UNSUCCESSFUL]


CV_TEXT = "Kubernetes"  # every CV's words: what the worker reads (rule read_cv_texts)


@cache
def _cv() -> tuple[bytes, InspectedCv]:
    pdf = valid_pdf(text=CV_TEXT)
    return pdf, inspect_cv(io.BytesIO(pdf), max_bytes=len(pdf))


def _held_applications() -> set[UUID]:
    return set(
        LegalHold.objects.filter(lifted_at__isnull=True).values_list("application_id", flat=True)
    )


def _erase_bucket() -> None:
    """Erases every object version and delete marker in this worker's bucket."""
    storage.erase_versions(list(storage.iter_object_versions()))


class PromiseMachine(RuleBasedStateMachine):
    posting_ids = Bundle("posting")
    people = Bundle("person")
    application_ids = Bundle("application")
    consent_ids = Bundle("consent")
    request_ids = Bundle("request")
    hold_ids = Bundle("hold")

    def __init__(self) -> None:
        super().__init__()
        self.clock = Clock(START)
        self._clock_patch = mock.patch("django.utils.timezone.now", self.clock.now)
        self._clock_patch.start()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        privacy_texts.forget_checked_versions()
        _erase_bucket()
        self.model = PromiseModel()
        self.staff = Actor(UserFactory.create(is_superuser=True))
        self.staff_client = Client()
        django_cache.clear()  # rate-limit counters of earlier examples (the pages are visited)
        self._strangers = 0
        self._first_postings = [self.new_posting_now(), self.new_posting_now()]
        self._first_people = [self.new_person_now(name) for name in NAMES]

    def teardown(self) -> None:
        try:
            _erase_bucket()
        finally:
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)
            self._clock_patch.stop()

    # --- Helpers -----------------------------------------------------------------------------

    def tick(self) -> datetime:
        return self.clock.advance(STEP)

    @property
    def now(self) -> datetime:
        return self.clock.now()

    def candidate_of(self, person: PersonModel) -> Candidate | None:
        """The person's candidate row as their portal session holds it: the current one, or
        (after their erasure) the one they had; None if they never applied."""
        if person.candidate_pk is not None:
            return Candidate.objects.get(pk=person.candidate_pk)
        if person.last_candidate_pk is not None:
            return Candidate(pk=person.last_candidate_pk, email=person.email)
        return None

    def held_by(self, person: PersonModel) -> list[AppModel]:
        return self.model.applications_of(person.candidate_pk) if person.candidate_pk else []

    def record_erasures(self, before: set[UUID]) -> set[UUID]:
        """Which of `before` are gone now; the model forgets them."""
        erased = before - set(Application.objects.values_list("pk", flat=True))
        for pk in sorted(erased):
            self.model.forget(pk)
        return erased

    def add_consent(self, row: RetentionConsent) -> ConsentModel:
        assert row.given_at == self.now
        assert self.now < row.expires_at <= self.now + timedelta(days=24 * 31 + 1)
        consent = ConsentModel(
            pk=row.pk,
            candidate_pk=row.candidate_id,
            application_pk=row.application_id,
            given_at=row.given_at,
            expires_at=row.expires_at,
            confirmed_at=row.confirmed_at,
        )
        self.model.consents[row.pk] = consent
        return consent

    # --- The world each example starts from ----------------------------------------------------

    def new_posting_now(self) -> int:
        posting = PostingFactory.create(published_at=self.now)
        self.model.postings[posting.pk] = PostingModel(pk=posting.pk)
        return posting.pk

    def new_person_now(self, name: str) -> str:
        n = len(self.model.people) + 1
        email = f"person{n}@example.com"
        self.model.people[email] = PersonModel(
            email=email, own_name=name, own_phone=f"+387 61 {n:03d} 000"
        )
        return email

    @initialize(target=posting_ids)
    def two_open_postings(self) -> Any:
        return multiple(*self._first_postings)

    @initialize(target=people)
    def three_people(self) -> Any:
        return multiple(*self._first_people)

    @initialize(
        target=application_ids,
        first=st.lists(
            st.tuples(st.integers(0, 2), st.integers(0, 1), st.booleans()),
            min_size=1,
            max_size=4,
            unique_by=lambda spec: spec[:2],
        ),
    )
    def first_applications(self, first: list[tuple[int, int, bool]]) -> Any:
        """Some of the three people apply to the two postings (the box ticked or not)."""
        made = [
            self.submit(self._first_people[who], self._first_postings[where], True, consent, False)
            for who, where, consent in first
        ]
        return multiple(*[pk for pk in made if pk is not None])

    @precondition(lambda self: len(self.model.postings) < 4)
    @rule(target=posting_ids)
    def new_posting(self) -> int:
        self.tick()
        return self.new_posting_now()

    # --- Applying ----------------------------------------------------------------------------

    @rule(
        target=application_ids,
        person=people,
        posting=posting_ids,
        as_owner=st.booleans(),
        consent=st.booleans(),
        upper_case_address=st.booleans(),
        freeze_lost=st.sampled_from([False, False, False, True]),
    )
    def apply(
        self,
        person: str,
        posting: int,
        as_owner: bool,
        consent: bool,
        upper_case_address: bool,
        freeze_lost: bool = False,
    ) -> Any:
        """The address's owner applies (new person, or the same person again), or a stranger
        types the address with other details, perhaps ticking the talent-pool box. With
        `freeze_lost`, the database fails just after the application is saved, before a
        restriction the person asked for could cover it: the next sweep freezes it."""
        pk = self.submit(
            person, posting, as_owner, consent, upper_case_address, freeze_lost=freeze_lost
        )
        return multiple() if pk is None else pk

    def submit(
        self,
        person: str,
        posting: int,
        as_owner: bool,
        consent: bool,
        upper_case_address: bool,
        invitation: Invitation | None = None,
        reuse_cv: bool = False,
        *,
        freeze_lost: bool = False,
    ) -> UUID | None:
        """Submits as the apply form does; through an invitation's link (still open: the
        form then offers the pool's CV, used if `reuse_cv`) when one is given."""
        self.tick()
        owner = self.model.people[person]
        if as_owner:
            typed = (owner.own_name, owner.own_phone)
        else:
            self._strangers += 1
            typed = (f"Impostor {self._strangers}", f"+1 555 {self._strangers:04d}")
        model_posting = self.model.postings[posting]
        not_open = not model_posting.open or model_posting.concluded_at is not None
        duplicate = any(a.posting_pk == posting for a in self.held_by(owner))
        pdf, inspected = _cv()
        if invitation is not None:
            invitation = pool.open_invitation(
                invitation.pk, posting=Posting(pk=posting), now=self.now
            )
        pool_cv = pool.invitation_cv(invitation, now=self.now) if invitation and reuse_cv else None
        lost = mock.patch.object(
            restrictions, "freeze_if_requested", side_effect=OperationalError("connection lost")
        )
        try:
            with lost if freeze_lost else contextlib.nullcontext():
                application = submit_application(
                    posting=Posting.objects.get(pk=posting),
                    applicant=ApplicantData(
                        full_name=typed[0],
                        email=person.upper() if upper_case_address else person,
                        phone=typed[1],
                        cover_letter="",
                        consents_to_talent_pool=consent,
                        language="en",
                    ),
                    cv=None if pool_cv else io.BytesIO(pdf),
                    cv_filename="cv.pdf",
                    inspected=None if pool_cv else inspected,
                    invitation=invitation,
                    pool_cv=pool_cv,
                )
        except PostingNotOpen:
            assert not_open, "an open posting refused an application"
            return None
        except DuplicateApplication:
            assert duplicate and not not_open, "refused as a duplicate, but it is not one"
            return None
        assert not not_open, "a closed or concluded posting accepted an application"
        assert not duplicate, "a second application of one person to one posting"
        if owner.candidate_pk is None:
            owner.candidate_pk = owner.last_candidate_pk = application.candidate_id
            owner.details = typed
            self.model.candidate_emails[application.candidate_id] = person
        assert application.candidate_id == owner.candidate_pk, "filed under another person"
        if invitation is not None:
            assert application.source_id == "talent-pool"
            assert Invitation.objects.get(pk=invitation.pk).application_id == application.pk
        if pool_cv is not None:
            copy = application.cvs.get()
            assert copy.storage_key != pool_cv.storage_key and copy.sha256 == pool_cv.sha256
        self.model.applications[application.pk] = AppModel(
            pk=application.pk,
            email=person,
            candidate_pk=application.candidate_id,
            posting_pk=posting,
            details=typed,
            # A restriction lasts while any restriction request of the person is open (P23):
            # it covers an application made meanwhile too (from the next sweep on if the
            # freeze was lost).
            restricted=self.model.open_restrictions(application.candidate_id) and not freeze_lost,
        )
        form_consents = list(RetentionConsent.objects.filter(application_id=application.pk))
        assert len(form_consents) == int(consent)
        for row in form_consents:
            assert row.confirmed_at is None, "a ticked box counts before the owner confirms it"
            self.add_consent(row)
        return application.pk

    # --- The talent pool: invitations to apply ------------------------------------------------

    def in_the_pool(self, candidate_pk: UUID) -> bool:
        """The pool's membership, restated from the rows: a confirmed talent-pool consent in
        force covering an application that no erasure request or under-age flag is about to
        take, no restricted application, no pending or upheld objection."""
        applications = list(Application.objects.filter(candidate_id=candidate_pk))
        if any(application.restricted for application in applications):
            return False
        objections = DataSubjectRequest.objects.filter(
            candidate_id=candidate_pk,
            kind=Kind.OBJECTION,
            status__in=[DataSubjectRequest.Status.OPEN, DataSubjectRequest.Status.RESOLVED],
        )
        if objections.exists():
            return False
        in_force = [
            consent
            for consent in RetentionConsent.objects.filter(
                candidate_id=candidate_pk, scope=RetentionConsent.Scope.TALENT_POOL
            )
            if consent.confirmed_at is not None
            and consent.withdrawn_at is None
            and consent.expires_at > self.now
        ]
        return any(
            application.erasure_requested_at is None
            and application.under_age_flagged_at is None
            and any(retention.covers(consent, application) for consent in in_force)
            for application in applications
        )

    @rule(person=people, posting=posting_ids, consenting=st.booleans())
    def invite_from_pool(self, person: str, posting: int, consenting: bool) -> None:
        """An admin invites a person to a posting from the pool (`consenting`: one of those
        who confirmed a consent, as a search would find them; else `person`, whoever they
        are): invited only if the pool holds them now (and not to a posting they applied
        or were invited to); a refused invitation writes nothing."""
        self.tick()
        owner = self.model.people[person]
        # By address, not by candidate id: ids are random UUIDs, and a replayed example must
        # pick the same person (Hypothesis reports a different pick as a flaky strategy).
        confirmed = sorted(
            self.model.candidate_emails[candidate_id]
            for candidate_id in RetentionConsent.objects.filter(confirmed_at__isnull=False)
            .values_list("candidate_id", flat=True)
            .distinct()
        )
        if consenting and confirmed:
            owner = self.model.people[confirmed[0]]
            # To a posting they have not applied to, if there is one (as a recruiter would).
            applied = {application.posting_pk for application in self.held_by(owner)}
            posting = next((pk for pk in sorted(self.model.postings) if pk not in applied), posting)
        if owner.candidate_pk is None:
            return
        in_pool = self.in_the_pool(owner.candidate_pk)
        before = Invitation.objects.count()
        model_posting = self.model.postings[posting]
        try:
            [outcome] = invitations.invite(
                actor=self.staff,
                posting=Posting.objects.get(pk=posting),
                candidate_ids=[owner.candidate_pk],
            )
        except invitations.PostingNotInvitable:
            assert not model_posting.open or model_posting.concluded_at is not None
            return
        if outcome.invitation is not None:
            assert in_pool, "someone the pool does not hold was invited"
            assert Invitation.objects.count() == before + 1
        else:
            assert Invitation.objects.count() == before
            if outcome.refusal == str(invitations.NOT_IN_POOL):
                assert not in_pool, "someone the pool holds was refused as not in it"

    # --- Staff: messages to candidates (issue 20) ----------------------------------------------

    def objected(self, candidate_pk: UUID) -> bool:
        """A pending or upheld objection of the person (a refused one does not count)."""
        return DataSubjectRequest.objects.filter(
            candidate_id=candidate_pk,
            kind=Kind.OBJECTION,
            status__in=[DataSubjectRequest.Status.OPEN, DataSubjectRequest.Status.RESOLVED],
        ).exists()

    def may_be_written_to(self, application: Application) -> bool:
        """Restated from the rows: not restricted, no pending or upheld objection of the
        person, not about to be erased."""
        if application.restricted or application.erasure_requested_at:
            return False
        if application.under_age_flagged_at:
            return False
        return not self.objected(application.candidate_id)

    @rule(application=application_ids)
    def write_to_candidate(self, application: UUID) -> None:
        """Staff write to a candidate: it is sent exactly when nothing forbids it (a
        restriction, an objection, an erasure under way), and a refusal writes nothing."""
        self.tick()
        row = Application.objects.filter(pk=application).first()
        before = CandidateMessage.objects.count()
        try:
            messaging.send_message(
                actor=self.staff, application_id=application, subject="Hello", body="A word."
            )
        except messaging.MessageRefused:
            assert row is None or not self.may_be_written_to(row), "refused for no reason"
            assert CandidateMessage.objects.count() == before
            return
        assert row is not None and self.may_be_written_to(row), "sent to a frozen candidate"

    def may_be_invited(self, application: Application) -> bool:
        """Restated from the rows: may be written to, the process not concluded, the
        application not decided."""
        return (
            self.may_be_written_to(application)
            and application.posting.concluded_at is None
            and application.stage not in DECIDED_STAGES
        )

    @rule(application=application_ids)
    def arrange_interview(self, application: UUID) -> None:
        """Staff arrange an interview (a calendar invitation to the candidate): arranged
        exactly when nothing forbids it (a restriction, an objection, an erasure under way,
        a concluded process, a decided application), and a refusal writes nothing."""
        now = self.tick()
        row = Application.objects.select_related("posting").filter(pk=application).first()
        before = (Interview.objects.count(), OutboundEmail.objects.count())
        try:
            interviews.schedule_interview(
                actor=self.staff,
                application_id=application,
                details=interviews.Details(
                    starts_at=now + timedelta(days=2),
                    duration_minutes=30,
                    time_zone=django_settings.TIME_ZONE,
                    kind="phone",
                ),
            )
        except interviews.InterviewRefused:
            assert row is None or not self.may_be_invited(row), "refused for no reason"
            assert (Interview.objects.count(), OutboundEmail.objects.count()) == before
            return
        assert row is not None and self.may_be_invited(row), "invited a frozen candidate"

    @rule(target=application_ids, reuse_cv=st.booleans())
    def apply_on_invitation(self, reuse_cv: bool) -> Any:
        """The person invited first follows their invitation's link and applies, with the CV
        the pool keeps or a new one (however long ago they were invited)."""
        invitation = Invitation.objects.order_by("created_at", "pk").first()
        if invitation is None:
            return multiple()
        person = self.model.candidate_emails[invitation.candidate_id]
        pk = self.submit(person, invitation.posting_id, True, False, False, invitation, reuse_cv)
        return multiple() if pk is None else pk

    # --- Staff: stages, closing, concluding --------------------------------------------------

    @rule(application=application_ids, stage=st.sampled_from(STAGES))
    def move_stage(self, application: UUID, stage: str) -> None:
        self.tick()
        model = self.model.applications[application]
        if not model.exists:
            return
        concluded = self.model.postings[model.posting_pk].concluded_at is not None
        refused = concluded or (model.restricted and model.stage != stage)
        try:
            pipeline.move_application(application_id=application, to_stage=stage, actor=self.staff)
        except pipeline.PipelineError:
            assert refused, "a stage move was refused for no reason"
            return
        assert not refused, "a concluded or restricted application changed stage"
        model.stage = stage

    @rule(
        posting=posting_ids,
        chosen=st.lists(application_ids, max_size=4, unique=True),
        notify=st.booleans(),
    )
    def bulk_unsuccessful(self, posting: int, chosen: list[UUID], notify: bool) -> None:
        self.tick()
        concluded = self.model.postings[posting].concluded_at is not None
        changing = [
            a
            for a in (self.model.applications[pk] for pk in chosen)
            if a.exists and a.posting_pk == posting and self.model.undecided(a) and not a.restricted
        ]
        try:
            changed = pipeline.mark_unsuccessful(
                application_ids=chosen,
                posting=Posting.objects.get(pk=posting),
                actor=self.staff,
                reason="Not this time.",
                notify=notify,
            )
        except pipeline.PipelineError:
            assert concluded, "bulk unsuccessful refused on a running process"
            return
        assert not concluded, "bulk unsuccessful changed a concluded process"
        assert changed == len(changing)
        for model in changing:
            model.stage = Stage.UNSUCCESSFUL

    @rule(posting=posting_ids)
    def close(self, posting: int) -> None:
        self.tick()
        postings.close_posting(posting=Posting.objects.get(pk=posting))
        self.model.postings[posting].open = False

    @rule(posting=posting_ids, reject_remaining=st.booleans(), notify=st.booleans())
    def conclude(self, posting: int, reject_remaining: bool, notify: bool) -> None:
        self.tick()
        model = self.model.postings[posting]
        mine = [a for a in self.model.existing() if a.posting_pk == posting]
        undecided = [a for a in mine if self.model.undecided(a)]
        blocked = model.concluded_at is None and bool(undecided) and not reject_remaining
        try:
            pipeline.conclude_process(
                posting=Posting.objects.get(pk=posting),
                actor=self.staff,
                reject_remaining=reject_remaining,
                reason="The position is filled.",
                notify=notify,
            )
        except pipeline.ConclusionBlocked:
            assert blocked, "conclusion refused with every application decided"
            return
        assert not blocked, "concluded with undecided applications"
        if model.concluded_at is not None:
            return
        for application in undecided:
            if not application.restricted:
                application.stage = Stage.UNSUCCESSFUL
        model.concluded_at = self.now
        model.open = False

    # --- The candidate in the portal ---------------------------------------------------------

    @rule(person=people, application=application_ids)
    def withdraw_in_portal(self, person: str, application: UUID) -> None:
        self.tick()
        owner = self.model.people[person]
        candidate = self.candidate_of(owner)
        if candidate is None:
            return
        model = self.model.applications[application]
        theirs = model.exists and model.candidate_pk == owner.candidate_pk
        refused = (
            not self.held_by(owner)
            or not theirs
            or (model.stage != Stage.WITHDRAWN and model.stage in DECIDED_STAGES)
        )
        try:
            self_service.withdraw_application(candidate=candidate, application_id=application)
        except self_service.ActionRefused:
            assert refused, "the portal refused a withdrawal it should allow"
            return
        assert not refused, "the portal withdrew what it should refuse"
        model.stage = Stage.WITHDRAWN

    @rule(person=people, name=st.sampled_from(CORRECTED), phone=st.sampled_from(["", "+387 33 1"]))
    def correct_details(self, person: str, name: str, phone: str) -> None:
        self.tick()
        owner = self.model.people[person]
        candidate = self.candidate_of(owner)
        if candidate is None:
            return
        try:
            self_service.correct_details(candidate=candidate, full_name=name, phone=phone)
        except self_service.ActionRefused:
            assert not self.held_by(owner), "a correction by the owner was refused"
            return
        assert self.held_by(owner), "a correction was accepted for a person no longer held"
        owner.details = (name, phone)
        for model in self.held_by(owner):
            model.details = (name, phone)

    @rule(person=people, application=application_ids)
    def replace_cv(self, person: str, application: UUID) -> None:
        self.tick()
        owner = self.model.people[person]
        candidate = self.candidate_of(owner)
        if candidate is None:
            return
        model = self.model.applications[application]
        refused = (
            not self.held_by(owner)
            or not model.exists
            or model.candidate_pk != owner.candidate_pk
            or model.restricted
        )
        pdf, inspected = _cv()
        try:
            self_service.replace_cv(
                candidate=candidate,
                application_id=application,
                cv=io.BytesIO(pdf),
                cv_filename="new-cv.pdf",
                inspected=inspected,
            )
        except self_service.ActionRefused:
            assert refused, "the portal refused a CV replacement it should allow"
            return
        assert not refused, "the portal replaced a CV it should not touch"

    @rule()
    def read_cv_texts(self) -> None:
        """The worker reads every pending CV's text (its task, without the broker): exactly
        the CVs of applications that may be processed are read (never a restricted one's,
        nor one about to be erased), each with its own text and its application's vector."""
        self.tick()
        for cv in CurriculumVitae.objects.filter(text_pending=True).order_by("pk"):
            model = self.model.applications[cv.application_id]
            may_read = not (model.restricted or model.erasure_requested_at or model.under_age_at)
            assert extraction.read_text(cv.pk) is may_read, (
                f"CV of {cv.application_id} (restricted={model.restricted}, erasure "
                f"requested={model.erasure_requested_at}, under age={model.under_age_at}): "
                f"read should be {may_read}"
            )
            cv.refresh_from_db()
            assert cv.text_pending is not may_read
            assert cv.text == (CV_TEXT if may_read else "")
            words = SearchQuery(CV_TEXT, config=search_index.SEARCH_CONFIG)
            found = Application.objects.filter(pk=cv.application_id, search_vector=words)
            assert found.exists() is may_read, "the search vector follows the text"

    @rule(
        target=request_ids,
        person=people,
        kind=st.sampled_from([Kind.RESTRICTION, Kind.RESTRICTION, Kind.OBJECTION]),
    )
    def request_in_portal(self, person: str, kind: str) -> Any:
        """The candidate restricts processing (or objects to it) with the portal's button."""
        self.tick()
        owner = self.model.people[person]
        candidate = self.candidate_of(owner)
        if candidate is None:
            return multiple()
        service = (
            self_service.restrict_processing
            if kind == Kind.RESTRICTION
            else self_service.object_to_processing
        )
        try:
            request = service(candidate=candidate, details="Please stop.")
        except self_service.ActionRefused:
            assert not self.held_by(owner), "the portal refused a request while data is held"
            return multiple()
        return self.opened(owner, request, received_at=self.now)

    @rule(person=people)
    def erase_in_portal(self, person: str) -> None:
        self.tick()
        owner = self.model.people[person]
        candidate = self.candidate_of(owner)
        if candidate is None:
            return
        try:
            kept = self_service.request_erasure(candidate=candidate)
        except self_service.ActionRefused:
            assert not self.held_by(owner)
            return
        assert owner.candidate_pk is not None
        assert {hold.pk for hold in kept} == self.model.active_holds_of(owner.candidate_pk), (
            "the candidate was not told exactly which holds keep what"
        )
        self.model.request_erasure(owner.candidate_pk, now=self.now)

    @rule(person=people, build_now=st.booleans())
    def export_in_portal(self, person: str, build_now: bool) -> None:
        """The candidate asks for a copy of their data; a worker builds it now or later."""
        self.tick()
        owner = self.model.people[person]
        candidate = self.candidate_of(owner)
        if candidate is None:
            return
        try:
            export = exports.request_export(candidate=candidate)
        except Candidate.DoesNotExist:
            assert not self.held_by(owner), "an export was refused while data is held"
            return
        assert self.held_by(owner), "an export was started for someone no longer held"
        if export.request_id is not None and export.request_id not in self.model.requests:
            # A copy holding others' words waits for review: an access request is open.
            assert export.request is not None
            self.opened(owner, export.request, received_at=self.now)
        if build_now:
            exports.build_export(export_id=export.pk)

    # --- Consents ----------------------------------------------------------------------------

    @rule(target=consent_ids, person=people)
    def give_consent_in_portal(self, person: str) -> Any:
        """Giving, or renewing (giving again)."""
        self.tick()
        owner = self.model.people[person]
        candidate = self.candidate_of(owner)
        if candidate is None:
            return multiple()
        try:
            row = consents.give_consent(
                candidate=candidate, language="en", channel=RetentionConsent.Channel.PORTAL
            )
        except consents.ConsentRefused:
            assert not self.held_by(owner), "a consent was refused while data is held"
            return multiple()
        assert self.held_by(owner), "a consent was recorded for data already gone"
        assert row.application_id is None
        assert row.confirmed_at == self.now, "given in the portal: confirmed at once"
        return self.add_consent(row).pk

    def confirm(self, owner: PersonModel, consent_id: UUID) -> None:
        candidate = self.candidate_of(owner)
        if candidate is None:
            return
        model = self.model.consents.get(consent_id)
        allowed = (
            model is not None
            and model.exists
            and model.candidate_pk == owner.candidate_pk
            and model.withdrawn_at is None
            and model.expires_at > self.now
        )
        try:
            consents.confirm_consent(candidate=candidate, consent_id=consent_id)
        except consents.ConsentRefused:
            assert not allowed, "the owner could not confirm their consent"
            return
        assert allowed and model is not None, "a consent was confirmed by someone else"
        if model.confirmed_at is None:
            model.confirmed_at = self.now

    @rule(person=people, application=application_ids)
    def confirm_form_consent(self, person: str, application: UUID) -> None:
        """`person` clicks "confirm" on the consent ticked on `application`'s form (theirs,
        or someone else's: that must change nothing)."""
        self.tick()
        consent = self.model.form_consent(application)
        self.confirm(self.model.people[person], consent.pk if consent else uuid4())

    def withdraw(self, consent_id: UUID) -> None:
        row = RetentionConsent.objects.filter(pk=consent_id).first()
        model = self.model.consents[consent_id]
        assert (row is not None) == model.exists
        if row is None:
            return
        consents.withdraw_consent(consent=row)
        if model.withdrawn_at is None:
            model.withdrawn_at = self.now

    @rule(consent=consent_ids)
    def withdraw_consent_in_portal(self, consent: UUID) -> None:
        self.tick()
        self.withdraw(consent)

    @rule(application=application_ids)
    def withdraw_form_consent(self, application: UUID) -> None:
        self.tick()
        consent = self.model.form_consent(application)
        if consent is not None:
            self.withdraw(consent.pk)

    # --- Requests recorded by staff ------------------------------------------------------------

    def opened(
        self, owner: PersonModel, request: DataSubjectRequest, *, received_at: datetime
    ) -> UUID:
        assert owner.candidate_pk is not None and request.candidate_id == owner.candidate_pk
        due_day = first_due_day(received_at)
        model = RequestModel(
            pk=request.pk,
            candidate_pk=owner.candidate_pk,
            kind=request.kind,
            recorded_at=self.now,
            original_due_day=due_day,
            due_day=due_day,
        )
        self.model.requests[request.pk] = model
        if model.kind == Kind.RESTRICTION:
            for application in self.held_by(owner):
                application.restricted = True
        elif model.kind == Kind.CONSENT_WITHDRAWAL:
            self.model.withdraw_consents(
                owner.candidate_pk, given_until=model.recorded_at, now=self.now
            )
        return request.pk

    @rule(
        target=request_ids,
        person=people,
        kind=st.sampled_from(
            [
                Kind.RESTRICTION,
                Kind.CONSENT_WITHDRAWAL,
                Kind.ERASURE,
                Kind.RECTIFICATION,
                Kind.OBJECTION,
                Kind.ACCESS,
                Kind.PORTABILITY,
            ]
        ),
        channel=st.sampled_from([Channel.EMAIL, Channel.OTHER]),
        received_ago=st.sampled_from(
            [timedelta(0), timedelta(hours=2), timedelta(hours=23), timedelta(days=3)]
        ),
    )
    def record_by_staff(self, person: str, kind: str, channel: str, received_ago: timedelta) -> Any:
        """A request received by email or letter, entered by staff: it must have the effect
        the portal's button has, at once (P23)."""
        self.tick()
        owner = self.model.people[person]
        candidate = self.candidate_of(owner)
        if candidate is None:
            return multiple()
        try:
            request = register.record_request(
                candidate=candidate,
                kind=kind,
                channel=channel,
                details="By letter.",
                received_at=self.now - received_ago,
                actor=self.staff,
            )
        except register.RequestRefused:
            assert not self.held_by(owner), "a request was refused while data is held"
            return multiple()
        assert self.held_by(owner), "a request was recorded for someone no longer held"
        return self.opened(owner, request, received_at=self.now - received_ago)

    @rule(
        request=request_ids,
        refused=st.booleans(),
        corrected=st.one_of(st.none(), st.sampled_from(CORRECTED)),
    )
    def resolve(self, request: UUID, refused: bool, corrected: str | None) -> None:
        """Staff close a request: resolved (carried out) or refused; a rectification with
        the corrected name the person asked for, or without any."""
        self.tick()
        model = self.model.requests[request]
        row = DataSubjectRequest.objects.get(pk=request)
        details = None if corrected is None else requests.ContactDetails(corrected, "+387 33 2")
        try:
            requests.resolve_request(
                request=row,
                resolution="Answered in writing.",
                actor=self.staff,
                refused=refused,
                corrected=details,
            )
        except register.RequestRefused:
            assert not model.open, "an open request could not be closed"
            return
        assert model.open, "a closed request was closed again"
        status = "refused" if refused else "resolved"
        if model.kind == Kind.RESTRICTION:
            self.model.close_restriction(model, status)
            return
        model.status = status
        if refused:
            return
        if model.kind == Kind.ERASURE:
            self.model.request_erasure(model.candidate_pk, now=self.now)
        elif model.kind == Kind.CONSENT_WITHDRAWAL:
            self.model.withdraw_consents(
                model.candidate_pk, given_until=model.recorded_at, now=self.now
            )
        elif model.kind == Kind.RECTIFICATION and details is not None:
            email = self.model.candidate_emails[model.candidate_pk]
            self.model.people[email].details = (details.full_name, details.phone)
            for application in self.model.applications_of(model.candidate_pk):
                application.details = (details.full_name, details.phone)

    @rule(request=request_ids, days=st.sampled_from([1, 10, 45, 60]))
    def extend(self, request: UUID, days: int) -> None:
        """Staff extend a request (P16): allowed while it is open, before its first due date
        has ended, within 60 days in all, and not while an earlier extension's notice is
        still unsent; it counts only once the notice was sent in time."""
        self.tick()
        model = self.model.requests[request]
        used = (model.due_day - model.original_due_day).days
        allowed = (
            model.open
            and model.pending_day is None
            and self.now <= end_of_local_day(model.original_due_day)
            and days <= django_settings.PRIVACY_REQUEST_EXTENSION_DAYS - used
        )
        try:
            row = requests.extend_request(
                request=DataSubjectRequest.objects.get(pk=request),
                days=days,
                reason="Records in three offices.",
                actor=self.staff,
            )
        except register.RequestRefused:
            assert not allowed, "an extension the rules allow was refused"
            return
        assert allowed, "an extension the rules forbid was accepted"
        model.extend(days)
        # The notice tells the candidate the new day, in their language, as the pages will.
        assert row.extension_notice_id is not None
        notice = OutboundEmail.objects.get(pk=row.extension_notice_id)
        assert model.pending_day is not None
        with translation.override(notice.language):
            assert date_format(model.pending_day, "DATE_FORMAT") in notice.body_text

    @rule(request=request_ids)
    def extension_notice_fails(self, request: UUID) -> None:
        """The SMTP peer refuses the extension's notice for good."""
        self.tick()
        model = self.model.requests[request]
        if model.notice != "queued":
            return
        row = DataSubjectRequest.objects.get(pk=request)
        assert row.extension_notice_id is not None
        OutboundEmail.objects.filter(pk=row.extension_notice_id).update(
            status=OutboundEmail.Status.FAILED
        )
        model.notice = "failed"

    @rule()
    def settle_extensions(self) -> None:
        """The beat task that gives sent extensions their effect and voids the others."""
        self.settle(self.tick())

    def settle(self, now: datetime) -> None:
        requests.settle_extensions(now=now)
        for model in self.model.requests.values():
            model.settle(now)

    @rule(request=request_ids)
    def look_at_the_request(self, request: UUID) -> None:
        """The officer's page, and (while it is open) the person's portal, show the day the
        rules say the request is due: one local calendar day everywhere."""
        self.tick()
        model = self.model.requests[request]
        self.staff_client.force_login(self.staff.user)
        page = self.staff_client.get(reverse("staff:request", kwargs={"pk": request}))
        with translation.override(django_settings.LANGUAGE_CODE):
            due = date_format(model.due_day, "DATE_FORMAT")
            pending = model.pending_day and date_format(model.pending_day, "DATE_FORMAT")
        text = page.content.decode()
        assert page.status_code == 200 and due in text, f"staff page of {request}: not {due}"
        assert not pending or pending in text, f"pending extension to {pending} not shown"
        owner = self.model.people[self.model.candidate_emails[model.candidate_pk]]
        if not model.open or owner.candidate_pk != model.candidate_pk:
            return
        portal = Client()
        token = portal_access.issue_token(
            candidate=Candidate.objects.get(pk=owner.candidate_pk),
            purpose=PortalToken.Purpose.ACCESS,
        )
        portal.get(reverse("privacy:access", kwargs={"token": token}))
        portal.post(reverse("privacy:continue"))
        home = portal.get(reverse("privacy:portal"))
        with translation.override("en"):
            answered_by = f"Open: answered by {date_format(model.due_day, 'DATE_FORMAT')}"
        assert answered_by in home.content.decode(), f"portal of {request}: not {answered_by}"

    # --- Legal holds and the under-age flag --------------------------------------------------

    @rule(target=hold_ids, application=application_ids)
    def place_hold(self, application: UUID) -> Any:
        self.tick()
        model = self.model.applications[application]
        row = Application.objects.filter(pk=application).first() or Application(pk=application)
        try:
            hold = holds.place_hold(
                application=row,
                actor=self.staff,
                reason="Labour inspection of this hiring round",
                review_at=self.now.date() + timedelta(days=30),
            )
        except holds.HoldError:
            assert not model.exists, "a hold was refused on an existing application"
            return multiple()
        assert model.exists, "a hold was placed on an erased application"
        self.model.holds[hold.pk] = HoldModel(pk=hold.pk, application_pk=application)
        return hold.pk

    @rule(hold=hold_ids)
    def lift_hold(self, hold: int) -> None:
        self.tick()
        model = self.model.holds[hold]
        row = LegalHold.objects.filter(pk=hold).first()
        assert (row is not None) == model.exists
        if row is None:
            return
        holds.lift_hold(hold=row, actor=self.staff)
        model.active = False

    @rule(application=application_ids, storage_up=st.sampled_from([True, True, False]))
    def flag_under_age(self, application: UUID, storage_up: bool) -> None:
        """A recruiter flags the person under-age: every application of theirs goes at once,
        except what a hold or a restriction keeps (PRIVACY.md P17); with storage down,
        nothing goes yet and the sweep retries within minutes."""
        self.tick()
        model = self.model.applications[application]
        if not model.exists:
            return
        theirs = self.model.applications_of(model.candidate_pk)
        for other in theirs:
            if other.under_age_at is None:
                other.under_age_at = self.now
        expected = {a.pk for a in theirs if self.model.erasable(a, self.now)}
        with storage_fault("up" if storage_up else "down", set()):
            outcome = purge.erase_now(
                application=Application.objects.get(pk=application), actor=self.staff
            )
        erased = self.record_erasures({a.pk for a in theirs})
        if not storage_up:
            assert not erased, "reported erased while storage was down"
            assert outcome == (
                purge.Outcome.FAILED if application in expected else purge.Outcome.NOT_DUE
            )
            retried = Application.objects.filter(pk__in=expected)
            for pk, due in retried.values_list("pk", "purge_due_at"):
                assert due is not None and self.now < due <= self.now + timedelta(hours=1)
                self.model.applications[pk].retry_at = due
            return
        assert erased == expected, "the under-age flag erased the wrong applications"
        assert outcome == (
            purge.Outcome.ERASED if application in expected else purge.Outcome.NOT_DUE
        )

    # --- Time and the sweep ------------------------------------------------------------------

    @rule(
        delta=st.one_of(
            st.integers(1, 59).map(lambda n: timedelta(minutes=n)),
            st.integers(1, 48).map(lambda n: timedelta(hours=n)),
            st.integers(1, 400).map(lambda n: timedelta(days=n)),
        )
    )
    def pass_time(self, delta: timedelta) -> None:
        self.time_passes_until(self.now + delta)

    def time_passes_until(self, moment: datetime) -> None:
        """The clock moves on, and the periodic jobs other than the sweep run: the daily
        consent-expiry reminders, the worker building pending exports and the hourly
        deletion of expired ones."""
        self.clock.at = moment
        self.settle(moment)
        consents.send_expiry_reminders()
        pending = DataExport.objects.filter(status=DataExport.Status.PENDING)
        for export_id in pending.values_list("pk", flat=True):
            exports.build_export(export_id=export_id)
        exports.delete_expired_exports()

    @rule(which=st.integers(0, 2), offset=st.sampled_from([-1, 0, 1]))
    def jump_to_a_deadline(self, which: int, offset: int) -> None:
        """To just before, at or just after a consent's expiry, a retry date, or the end of a
        request's first due day."""
        self.tick()
        deadlines = sorted(
            {c.expires_at for c in self.model.consents.values() if c.exists}
            | {a.retry_at for a in self.model.existing() if a.retry_at is not None}
            | {end_of_local_day(r.original_due_day) for r in self.model.requests.values()}
        )
        future = [d for d in deadlines if d + timedelta(seconds=offset) > self.now]
        if future:
            self.time_passes_until(future[min(which, len(future) - 1)] + timedelta(seconds=offset))

    @rule(
        deliver=st.booleans(),
        fault=st.sampled_from(["up", "up", "down", "refusing"]),
        refused=st.lists(application_ids, max_size=2, unique=True),
    )
    def sweep(self, deliver: bool, fault: str, refused: list[UUID]) -> None:
        """The beat sweep, after the pending emails went out (or not), with storage up, down,
        or refusing to delete some objects."""
        now = self.tick()
        if deliver:
            OutboundEmail.objects.filter(
                status__in=[OutboundEmail.Status.PENDING, OutboundEmail.Status.SENDING]
            ).update(status=OutboundEmail.Status.SENT, sent_at=now)
            for request in self.model.requests.values():
                if request.notice == "queued":
                    request.notice, request.notice_sent_at = "sent", now
        existing = {a.pk: a for a in self.model.existing()}
        # First the sweep freezes what a freeze lost on applying left out.
        unfrozen = [
            a
            for a in existing.values()
            if not a.restricted and self.model.open_restrictions(a.candidate_pk)
        ]
        for frozen in unfrozen:
            frozen.restricted = True
        erasable = {pk for pk, a in existing.items() if self.model.erasable(a, now)}
        kept = self.kept_by_a_visible_basis(now)
        due_now = set(
            Application.objects.filter(pk__in=erasable, purge_due_at__lte=now).values_list(
                "pk", flat=True
            )
        )
        waiting = set(
            OutboundEmail.objects.filter(
                subject_ref__in=due_now,
                status__in=[OutboundEmail.Status.PENDING, OutboundEmail.Status.SENDING],
                created_at__gt=now - timedelta(hours=django_settings.RETENTION_NOTICE_WAIT_HOURS),
            ).values_list("subject_ref", flat=True)
        )
        waiting -= {pk for pk in due_now if existing[pk].under_age_at is not None}
        refused_keys = set(
            CurriculumVitae.objects.filter(application_id__in=refused).values_list(
                "storage_key", flat=True
            )
        )
        with storage_fault(fault, refused_keys):
            report = purge.sweep(now=now)
        erased = self.record_erasures(set(existing))
        assert not erased & kept, f"erased though kept by a basis: {sorted(erased & kept)}"
        assert erased <= erasable, f"erased before the promise let it: {erased - erasable}"
        assert report.erased == len(erased)
        assert report.frozen == len(unfrozen), "a lost freeze not made good by the sweep"
        if fault == "down":
            assert not erased, "reported erased while storage was down"
        if fault == "refusing":
            assert not erased & set(refused), "erased though its object could not be deleted"
        should_go = due_now - waiting
        if fault == "refusing":
            should_go -= set(refused)
        if fault != "down":
            assert should_go <= erased, f"due, but left by the sweep: {should_go - erased}"
        # What is left of the due ones is still due, or has a retry date within the hour
        # (backoff) or the minute (waiting for the candidate's last email). (A deferral in a
        # batch whose storage failed rolls back with it: still due, which is as good.)
        left = due_now - erased
        for application in Application.objects.filter(pk__in=left):
            due = application.purge_due_at
            assert due is not None, f"{application.pk} was due, and the sweep unscheduled it"
            assert due <= now + timedelta(hours=1, minutes=1), f"{application.pk} put off"
            if due > now:
                existing[application.pk].retry_at = due

    def kept_by_a_visible_basis(self, now: datetime) -> set[UUID]:
        """Applications a basis the candidate sees in the portal keeps (from the database):
        an active hold, a restriction they asked for (not superseded by a later erasure
        request), or a consent they confirmed covering it (unless they asked for erasure or
        were flagged under-age). Hired applications are kept too (handed over to HR)."""
        kept: set[UUID] = set()
        held = _held_applications()
        open_restrictions: dict[UUID, datetime] = {}
        for candidate_id, recorded_at in DataSubjectRequest.objects.filter(
            kind=Kind.RESTRICTION, status=DataSubjectRequest.Status.OPEN
        ).values_list("candidate_id", "created_at"):
            if candidate_id is not None:
                open_restrictions[candidate_id] = max(
                    recorded_at, open_restrictions.get(candidate_id, recorded_at)
                )
        in_force = list(RetentionConsent.objects.in_force(now))
        for application in Application.objects.select_related("posting"):
            requested = open_restrictions.get(application.candidate_id)
            erasure = application.erasure_requested_at
            if (
                application.pk in held
                or application.restricted
                or (requested is not None and (erasure is None or erasure < requested))
            ):
                kept.add(application.pk)
            elif erasure is None and application.under_age_flagged_at is None:
                running = application.posting.concluded_at is None
                consented = any(
                    c.candidate_id == application.candidate_id and retention.covers(c, application)
                    for c in in_force
                )
                if application.stage == Stage.HIRED or running or consented:
                    kept.add(application.pk)
        return kept

    # --- Invariants --------------------------------------------------------------------------

    @invariant()
    def concluded_applications_are_due_or_kept_on_a_visible_basis(self) -> None:
        """1. Every application of a concluded posting that is not hired is due now (the next
        sweep takes it; a sweep's retry date aside), or kept by a basis the candidate sees:
        a confirmed consent covering it (then due at the latest such consent's expiry), a
        legal hold or a restriction (then not scheduled while it lasts)."""
        now = self.now
        held = _held_applications()
        confirmed = list(RetentionConsent.objects.filter(confirmed_at__isnull=False))
        concluded = (
            Application.objects.filter(posting__concluded_at__isnull=False)
            .exclude(stage=Stage.HIRED)
            .order_by("pk")
        )
        for application in concluded:
            due = application.purge_due_at
            if application.pk in held or application.restricted:
                assert due is None, f"{application.pk} held or restricted but scheduled at {due}"
                continue
            if due is not None and (
                due <= now or due == self.model.applications[application.pk].retry_at
            ):
                continue
            covering = [
                c
                for c in confirmed
                if c.candidate_id == application.candidate_id and retention.covers(c, application)
            ]
            in_force = [c for c in covering if c.expires_at > now]
            assert in_force, (
                f"{application.pk} of a concluded process is neither due nor kept on any "
                f"basis the candidate can see (purge_due_at={due}, now={now})"
            )
            latest = max(c.expires_at for c in covering)
            assert due == latest, (
                f"{application.pk} kept by consent until {latest}, but due at {due}"
            )

    @invariant()
    def each_persons_data_follows_only_what_they_confirmed(self) -> None:
        """3. Nobody's data is changed or kept longer by an action they did not confirm:
        every row the model knows says what the model says, purge dates included."""
        model = self.model
        rows = {a.pk: a for a in Application.objects.all()}
        assert set(rows) == {a.pk for a in model.existing()}, "applications differ from the model"
        for pk, row in rows.items():
            expected = model.applications[pk]
            assert row.candidate_id == expected.candidate_pk
            assert (row.full_name, row.phone) == expected.details, (
                f"{pk}: details {row.full_name!r}, {row.phone!r} not {expected.details}"
            )
            assert row.stage == expected.stage, f"{pk}: stage {row.stage} not {expected.stage}"
            assert row.restricted == expected.restricted, (
                f"{pk}: restricted={row.restricted}, but the person's restriction requests "
                f"say {expected.restricted}"
            )
            assert row.erasure_requested_at == expected.erasure_requested_at, pk
            assert row.under_age_flagged_at == expected.under_age_at, pk
            due = model.expected_due(expected)
            retry = expected.retry_at
            assert row.purge_due_at == due or (
                due is not None and retry is not None and due <= retry == row.purge_due_at
            ), f"{pk}: purge_due_at {row.purge_due_at}, the promise says {due}"
        people = {c.pk: c for c in Candidate.objects.all()}
        current = {p.candidate_pk: p for p in model.people.values() if p.candidate_pk is not None}
        assert set(people) == set(current), "candidate rows differ from the model"
        for pk, candidate in people.items():
            assert (candidate.full_name, candidate.phone) == current[pk].details, (
                f"{candidate.email}: details changed to {candidate.full_name!r}, "
                f"{candidate.phone!r} without the owner's confirmation ({current[pk].details})"
            )
        consent_rows = {c.pk: c for c in RetentionConsent.objects.all()}
        assert set(consent_rows) == {c.pk for c in model.consents.values() if c.exists}
        for pk, consent in consent_rows.items():
            expected_consent = model.consents[pk]
            assert consent.confirmed_at == expected_consent.confirmed_at, (
                f"consent {pk} confirmed_at {consent.confirmed_at}, "
                f"the owner confirmed at {expected_consent.confirmed_at}"
            )
            assert consent.withdrawn_at == expected_consent.withdrawn_at, (
                f"consent {pk} withdrawn_at {consent.withdrawn_at}, "
                f"expected {expected_consent.withdrawn_at}"
            )
        for consent_id in ConsentReminder.objects.values_list("consent_id", flat=True):
            assert model.consents[consent_id].confirmed_at is not None, "renewal of no consent"
        hold_rows = dict(LegalHold.objects.values_list("pk", "lifted_at"))
        assert set(hold_rows) == {h.pk for h in model.holds.values() if h.exists}
        for hold_pk, lifted_at in hold_rows.items():
            assert (lifted_at is None) == model.holds[hold_pk].active, f"hold {hold_pk}"
        for request_row in DataSubjectRequest.objects.filter(pk__in=list(model.requests)):
            request = model.requests[request_row.pk]
            # Closed only by its answer, or as erased before it was answered: never
            # "resolved" by anything else.
            assert request_row.status == request.status, (
                f"request {request_row.pk}: {request_row.status}"
            )
            if request_row.candidate_id is None:
                assert request.candidate_pk not in people
            # Due at the end of the local day the rules say; extended only once told.
            assert request_row.original_due_at == end_of_local_day(request.original_due_day), (
                request_row.pk
            )
            if request_row.status == DataSubjectRequest.Status.OPEN:
                assert request_row.due_at == end_of_local_day(request.due_day), (
                    f"request {request_row.pk} due {request_row.due_at}, "
                    f"the rules say {request.due_day}"
                )
                expected_pending = request.pending_day and end_of_local_day(request.pending_day)
                assert request_row.pending_due_at == expected_pending, (
                    f"request {request_row.pk} pending"
                )
        # The officers were told of every extension voided and every request left unanswered.
        for template, told in (
            (
                "rights/emails/request_extension_void",
                [r for r in model.requests.values() if r.voided],
            ),
            (
                "rights/emails/request_erased_unanswered",
                [r for r in model.requests.values() if r.status == "erased_unanswered"],
            ),
        ):
            alerts = " ".join(
                OutboundEmail.objects.filter(template=template).values_list("body_text", flat=True)
            )
            untold = [str(r.pk) for r in told if str(r.pk) not in alerts]
            assert not untold, f"{template}: the officers were not told of {untold}"
        for posting in Posting.objects.filter(pk__in=list(model.postings)):
            expected_posting = model.postings[posting.pk]
            assert posting.concluded_at == expected_posting.concluded_at, posting.pk
            assert (posting.status == Posting.Status.OPEN) == expected_posting.open, posting.pk

    @invariant()
    def the_bucket_holds_exactly_the_cv_rows(self) -> None:
        """4. One version of each CV row's object (and of each built export's); no delete
        marker, nothing else."""
        versions = list(storage.iter_object_versions())
        markers = sorted(v.key for v in versions if v.is_delete_marker)
        keys = [v.key for v in versions if not v.is_delete_marker]
        rows = set(CurriculumVitae.objects.values_list("storage_key", flat=True)) | set(
            DataExport.objects.exclude(storage_key="").values_list("storage_key", flat=True)
        )
        assert not markers, f"delete markers left: {markers}"
        assert len(keys) == len(set(keys)), "several versions of one object"
        assert set(keys) == rows, (
            f"objects without a row: {sorted(set(keys) - rows)}; "
            f"rows without an object: {sorted(rows - set(keys))}"
        )

    @invariant()
    def the_ledger_verifies_with_one_record_per_erased_application(self) -> None:
        """5. The hash chain verifies; exactly one record per erased application."""
        verification = ledger.verify()
        assert verification.ok, f"the ledger breaks at record {verification.first_broken_pk}"
        recorded = list(ErasureRecord.objects.values_list("application_id", flat=True))
        assert verification.checked == len(recorded)
        assert len(recorded) == len(set(recorded)), "an application was recorded erased twice"
        assert set(recorded) == self.model.erased, (
            f"records without an erasure: {set(recorded) - self.model.erased}; "
            f"erasures without a record: {self.model.erased - set(recorded)}"
        )

    @invariant()
    def no_message_waits_to_reach_someone_who_restricted_or_objected(self) -> None:
        """7. A message, an interview email or an invitation from the pool queued before a
        restriction or an objection never leaves after it: none waits in the outbox for a
        restricted application or a person who restricted or objected."""
        waiting = OutboundEmail.objects.filter(
            template__in=[messaging.EMAIL_TEMPLATE, *interviews.CANDIDATE_TEMPLATES.values()],
            status__in=[OutboundEmail.Status.PENDING, OutboundEmail.Status.FAILED],
        ).values_list("subject_ref", flat=True)
        for application in Application.objects.filter(pk__in=list(waiting)):
            assert not application.restricted, "a message waits for a restricted application"
            assert not self.objected(application.candidate_id), "a message waits after an objection"
        invited = OutboundEmail.objects.filter(
            template=invitations.EMAIL_TEMPLATE,
            status__in=[OutboundEmail.Status.PENDING, OutboundEmail.Status.FAILED],
        ).values_list("subject_ref", flat=True)
        for invitation in Invitation.objects.filter(pk__in=list(invited)):
            person = invitation.candidate_id
            restricted = Application.objects.filter(candidate_id=person, restricted=True)
            assert not restricted.exists(), "an invitation waits for someone who restricted"
            assert not self.objected(person), "an invitation waits after an objection"

    @invariant()
    def nothing_is_left_of_what_was_erased(self) -> None:
        """6. No email about an erased application or person, none to an address no longer
        held, and the requests of erased people keep no words of theirs."""
        gone_people = {
            pk
            for pk in self.model.candidate_emails
            if pk not in {p.candidate_pk for p in self.model.people.values()}
        }
        about = OutboundEmail.objects.filter(subject_ref__in=[*self.model.erased, *gone_people])
        assert not about.exists(), f"emails about erased data: {list(about.values('template'))}"
        gone_addresses = [p.email for p in self.model.people.values() if p.candidate_pk is None]
        to_gone = OutboundEmail.objects.filter(to_address__in=gone_addresses)
        assert not to_gone.exists(), f"emails to erased people: {list(to_gone.values('template'))}"
        # The interviewers' copies of interview emails are about the interview: none outlives it.
        orphans = OutboundEmail.objects.filter(template__startswith="pipeline/emails/interview_")
        orphans = orphans.exclude(subject_ref__in=Application.objects.values("pk")).exclude(
            subject_ref__in=Interview.objects.values("pk")
        )
        assert not orphans.exists(), "an interview email outlived its interview"
        assert not (
            DataSubjectRequest.objects.filter(candidate__isnull=True).exclude(details="").exists()
        ), "an erased person's request keeps their words"


def _prepare(settings: Any) -> None:
    """The retention settings the model assumes, and this worker's bucket versioned."""
    settings.RETENTION_GRACE_DAYS = 0
    settings.HIRED_RETENTION_DAYS = None
    settings.PRIVACY_REQUEST_DEADLINE_DAYS = 30
    settings.PRIVACY_REQUEST_EXTENSION_DAYS = 60
    settings.PRIVACY_OFFICER_EMAILS = ["dpo@example.com"]
    storage._client().put_bucket_versioning(
        Bucket=storage._bucket(), VersioningConfiguration={"Status": "Enabled"}
    )


@pytest.mark.timeout(0 if PROFILE_NAME == "deep" else 600)
def test_the_promise_holds_under_every_sequence_of_events(db: None, settings: Any) -> None:
    _prepare(settings)
    run_state_machine_as_test(PromiseMachine, settings=PROFILE)


# --- Sequences the machine found, replayed as ordinary tests ----------------------------------

INVARIANTS = [
    PromiseMachine.concluded_applications_are_due_or_kept_on_a_visible_basis,
    PromiseMachine.each_persons_data_follows_only_what_they_confirmed,
    PromiseMachine.the_bucket_holds_exactly_the_cv_rows,
    PromiseMachine.the_ledger_verifies_with_one_record_per_erased_application,
    PromiseMachine.nothing_is_left_of_what_was_erased,
]
ANA = "person1@example.com"  # the first of the three people every example starts with


def _replay(*steps: Callable[[PromiseMachine], object]) -> None:
    """Runs `steps` on a fresh machine, checking every invariant after each, as Hypothesis
    does."""
    machine = PromiseMachine()
    try:
        for step in steps:
            step(machine)
            for check in INVARIANTS:
                check(machine)
    finally:
        machine.teardown()


def test_a_second_erasure_request_ends_a_restriction_asked_for_since_the_first(
    db: None, settings: Any
) -> None:
    """Erasure, then a restriction, then erasure again: the second request must end the
    restriction as the first did (the person no longer opposes erasure), and the data go."""
    _prepare(settings)
    _replay(
        lambda m: m.first_applications([(0, 0, False)]),
        lambda m: m.erase_in_portal(ANA),
        lambda m: m.request_in_portal(ANA, Kind.RESTRICTION),
        lambda m: m.erase_in_portal(ANA),
        lambda m: m.sweep(True, "up", []),
    )


def test_an_application_made_while_a_restriction_request_is_open_is_restricted_too(
    db: None, settings: Any
) -> None:
    """A restriction lasts while any restriction request of the person is open (P23): an
    application they make meanwhile is frozen too, not erased when its process concludes."""
    _prepare(settings)
    _replay(
        lambda m: m.first_applications([(0, 0, False)]),
        lambda m: m.request_in_portal(ANA, Kind.RESTRICTION),
        lambda m: m.apply(ANA, m._first_postings[1], True, False, False),
        lambda m: m.conclude(m._first_postings[1], True, False),
        lambda m: m.sweep(True, "up", []),
    )


def test_an_application_whose_freeze_was_lost_is_frozen_by_the_sweep_not_erased(
    db: None, settings: Any
) -> None:
    """The same, with the database failing just after the application is saved: it is
    saved all the same, not yet frozen; its posting concludes, and the sweep freezes it
    instead of erasing it."""
    _prepare(settings)
    _replay(
        lambda m: m.first_applications([(0, 0, False)]),
        lambda m: m.request_in_portal(ANA, Kind.RESTRICTION),
        lambda m: m.apply(ANA, m._first_postings[1], True, False, False, True),
        lambda m: m.conclude(m._first_postings[1], True, False),
        lambda m: m.sweep(True, "up", []),
    )
