"""Project-level promises: configuration, deployment files, management commands."""

import ast
import os
import re
import subprocess
import sys
import tomllib
from datetime import timedelta
from fnmatch import fnmatch
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from recruitment.models import CandidateMessage, Posting
from tools import devstack

ROOT = Path(__file__).resolve().parent.parent


def env_names_read_by_settings() -> set[str]:
    source = (ROOT / "ats" / "settings.py").read_text()
    return set(re.findall(r"env\.\w+\(\s*\"([A-Z0-9_]+)\"", source))


def test_every_setting_read_from_the_environment_is_documented_in_env_example() -> None:
    documented = set(re.findall(r"^([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    names = env_names_read_by_settings()
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "S3_PUBLIC_ENDPOINT_URL"} <= names
    assert names - documented == set()


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text()))


def test_compose_defines_every_service_with_a_healthcheck_or_a_one_shot_role() -> None:
    services = compose()["services"]
    assert set(services) == {
        "web",
        "worker",
        "beat",
        "migrate",
        "postgres",
        "redis",
        "s3",
        "mailpit",
    }
    for name, service in services.items():
        if name != "migrate":
            assert "healthcheck" in service, name
    assert services["migrate"]["restart"] == "no"
    assert services["s3"]["image"].startswith("chrislusf/seaweedfs")
    for name in ("web", "worker", "beat", "migrate"):
        assert services[name]["build"] == "."
    assert (ROOT / "Dockerfile").exists()


def test_compose_runs_the_same_commands_as_make_run() -> None:
    services = compose()["services"]
    commands = devstack.app_commands(host="0.0.0.0", port=8000)
    for name in ("web", "worker", "beat"):
        assert services[name]["command"] == commands[name], name
    prepare = " && ".join(" ".join(argv) for argv in devstack.prepare_commands())
    assert services["migrate"]["command"] == ["sh", "-c", prepare]
    s3 = " ".join(services["s3"]["command"])
    for flag in (
        "weed mini",
        "-master.telemetry=false",
        "-webdav=false",
        "-admin.ui=false",
        "-s3.config=",
    ):
        assert flag in s3


RUN_SECRETS = {"DJANGO_SECRET_KEY": "s" * 50, "S3_ACCESS_KEY": "ak", "S3_SECRET_KEY": "sk"}


def run_environment(port: int, **outer: str) -> dict[str, str]:
    return devstack.run_environment(
        local=RUN_SECRETS,
        web_port=port,
        s3_endpoint="http://127.0.0.1:8333",
        redis_url="",
        outer=outer,
    )


@given(port=st.integers(min_value=1024, max_value=65535))
def test_make_run_links_follow_the_port_it_serves_on(port: int) -> None:
    env = run_environment(port)

    url = urlsplit(env["ATS_PUBLIC_URL"])
    assert (url.scheme, url.port, url.path) == ("http", port, "")
    # A host the site answers on, and the one the banner prints.
    assert url.hostname in env["DJANGO_ALLOWED_HOSTS"].split(",")
    assert url.hostname == "127.0.0.1"


def test_make_run_keeps_a_public_url_given_by_configuration() -> None:
    env = run_environment(18502, ATS_PUBLIC_URL="https://ats.example.test")
    assert env["ATS_PUBLIC_URL"] == "https://ats.example.test"


def test_an_emailed_link_under_make_run_on_another_port_points_at_that_port() -> None:
    """The whole chain in a process of its own, as `make run` starts it: the environment,
    the settings read from it, and the function the outbox calls for an email's link."""
    script = (
        "import django; django.setup()\n"
        "from recruitment.rights.services.portal_access import mint_access_link\n"
        "print(mint_access_link(subject_ref=None))\n"
    )
    outer = {k: v for k, v in os.environ.items() if k != "ATS_PUBLIC_URL"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**outer, "DJANGO_SETTINGS_MODULE": "ats.settings", **run_environment(18502)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "http://127.0.0.1:18502/privacy/"


@pytest.mark.django_db
def test_a_delivered_email_carries_links_to_the_public_url(
    settings: Any, posting: Any, smtp_mailbox: Any, unique_email: Any
) -> None:
    from notifications.models import OutboundEmail
    from notifications.services import deliver_email
    from tests.recruitment.rights.test_portal import text_of

    settings.PUBLIC_URL = run_environment(18502)["ATS_PUBLIC_URL"]
    address = unique_email()
    application = _apply(posting, address)
    email = OutboundEmail.objects.get(subject_ref=application.pk)

    assert deliver_email(email_id=email.pk)

    (message,) = smtp_mailbox.wait_for(address)
    links = re.findall(r"https?://[^\s<>\"]+", text_of(message))
    assert links and all(link.startswith("http://127.0.0.1:18502/") for link in links)


def _apply(posting: Any, address: str) -> Any:
    import io

    from recruitment.careers.services import ApplicantData, submit_application
    from recruitment.cvs.checks import inspect_cv
    from recruitment.management.commands.seed_demo import _demo_cv

    pdf = _demo_cv()
    return submit_application(
        posting=posting,
        applicant=ApplicantData(
            full_name="Test Person",
            email=address,
            phone="",
            cover_letter="",
            consents_to_talent_pool=False,
            language="en",
        ),
        cv=io.BytesIO(pdf),
        cv_filename="cv.pdf",
        inspected=inspect_cv(io.BytesIO(pdf), max_bytes=len(pdf)),
    )


def test_the_dockerfile_default_command_is_the_web_command() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    web = devstack.app_commands(host="0.0.0.0", port=8000)["web"]
    assert f"CMD {str(web).replace(chr(39), chr(34))}" in dockerfile


def test_the_image_holds_every_directory_the_app_reads_at_run_time() -> None:
    """Templates, static files and the compiled translations: without `locale/` the image
    would serve every page in English, whatever the candidate's language."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    for directory in ("ats", "recruitment", "notifications", "templates", "static", "locale"):
        assert f"COPY {directory} ./{directory}" in dockerfile


def shipped_paths() -> set[Path]:
    """What reaches production: what the Dockerfile copies into the image, and the top-level
    packages pyproject.toml's package discovery puts into a built distribution."""
    paths = set()
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        words = line.split()
        if words[:1] == ["COPY"]:
            paths |= {(ROOT / word).resolve() for word in words[1:-1] if not word.startswith("--")}
    find = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    include = find["find"]["include"]
    packages = (path.parent for path in ROOT.glob("*/__init__.py"))
    return paths | {path for path in packages if any(fnmatch(path.name, p) for p in include)}


def test_the_developer_tooling_is_not_shipped() -> None:
    """tools/ (the supervisor behind `make run`, `make test` and `make bench`) stays on a
    developer's machine: neither the image nor a built package holds it or one of its
    modules, and no shipped module imports it (that import would fail in production)."""
    tooling = {path.stem for path in (ROOT / "tools").glob("*.py")} - {"__init__"}
    assert "devstack" in tooling
    shipped = shipped_paths()
    modules = {
        module
        for path in shipped
        for module in ([path] if path.is_file() else path.rglob("*.py"))
        if module.suffix == ".py"
    }
    assert {ROOT / "manage.py", ROOT / "ats" / "settings.py"} <= modules  # the walk sees them
    assert ROOT / "tools" not in shipped
    assert sorted(str(m) for m in modules if m.stem in tooling) == []
    imports_tooling = re.compile(r"^\s*(from|import)\s+tools\b", re.M)
    assert sorted(str(m) for m in modules if imports_tooling.search(m.read_text())) == []


def test_tests_and_benchmarks_use_only_the_public_names_of_the_tooling() -> None:
    """An underscore name of tools/ may change without notice; what a test or a benchmark
    needs from it is made public and documented first."""

    def private(name: str) -> bool:
        return name.startswith("_") and not name.startswith("__")

    found = []
    for path in [*(ROOT / "tests").rglob("*.py"), *(ROOT / "bench").rglob("*.py")]:
        tree = ast.parse(path.read_text())
        bound = set()  # the names this file reaches the tooling's modules by
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "tools":
                bound |= {alias.asname or alias.name for alias in node.names}
                found += [f"{path}:{node.lineno}" for a in node.names if private(a.name)]
            elif isinstance(node, ast.Import):
                bound |= {a.asname or a.name for a in node.names if a.name.split(".")[0] == "tools"}
        found += [
            f"{path}:{node.lineno}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute)
            and private(node.attr)
            and ast.unparse(node.value) in bound
        ]
    assert found == []


def test_deploy_checks_are_clean_with_production_settings() -> None:
    environment = {
        **os.environ,
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
        "DJANGO_DEBUG": "false",
        "DJANGO_HTTPS": "true",
        "DJANGO_ALLOWED_HOSTS": "careers.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_gives_exactly_the_two_setup_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_working_credentials(settings: Any, capsys: Any) -> None:
    from django.contrib.auth import get_user_model

    settings.DEMO_MODE = True
    call_command("seed_demo")
    call_command("seed_demo")
    output = capsys.readouterr().out

    assert Posting.objects.filter(status=Posting.Status.OPEN).count() >= 3
    assert Posting.objects.count() == len({p.slug for p in Posting.objects.all()})
    credentials = re.findall(r"^\s+(\w+) / (\S+)\s", output, re.M)
    assert credentials
    assert len(set(credentials)) == 5
    for username, password in credentials:
        user = get_user_model().objects.get(username=username)
        assert user.is_active and user.is_staff and user.check_password(password)
    # Applicants went through the real service once, however often the command ran.
    from recruitment.models import Application, CurriculumVitae, TeamMembership

    demo = Application.objects.filter(posting__slug="senior-python-developer")
    assert demo.count() == 7
    assert CurriculumVitae.objects.filter(application__in=demo).count() == 7
    assert TeamMembership.objects.filter(user__username="interviewer").count() == 1
    # One interview arranged (issue 20), once, with the demo interviewer on its panel.
    from recruitment.models import Interview

    [interview] = Interview.objects.filter(application__in=demo)
    assert interview.status == Interview.Status.SCHEDULED
    assert [u.username for u in interview.interviewers.all()] == ["interviewer"]
    assert Application.objects.filter(stage="interview").get().assignments.exists()
    # The demo posting asks three questions of different kinds (issue 20), answered once
    # by each applicant; one knock-out answer flags an application without moving it.
    from recruitment.models import Answer, Question

    kinds = Question.objects.filter(posting__slug="senior-python-developer").values_list(
        "kind", flat=True
    )
    assert sorted(kinds) == ["multiple_choice", "number", "yes_no"]
    assert Answer.objects.filter(application__in=demo).count() == 7 * 3
    flagged = demo.get(answers__knocked_out=True)
    assert flagged.stage == Application.Stage.APPLIED


@pytest.mark.django_db
def test_seed_demo_reruns_after_the_demo_process_was_concluded(settings: Any) -> None:
    from django.contrib.auth import get_user_model

    from recruitment.access import Actor
    from recruitment.models import Application
    from recruitment.pipeline.services import stages as pipeline
    from recruitment.retention.services import purge

    settings.DEMO_MODE = True
    call_command("seed_demo")
    posting = Posting.objects.get(slug="senior-python-developer")
    admin = get_user_model().objects.get(username="admin")
    pipeline.conclude_process(posting=posting, actor=Actor(user=admin), reject_remaining=True)
    purge.sweep(now=timezone.now() + timedelta(days=2))
    remaining = Application.objects.filter(posting=posting).count()

    call_command("seed_demo")  # `make run` again: no error, and nobody is re-added

    assert Application.objects.filter(posting=posting).count() == remaining


@pytest.mark.django_db
def test_seed_demo_shows_the_retention_promise_at_work(settings: Any, capsys: Any) -> None:
    """A concluded process whose unsuccessful applicants the real purge erased (ledger
    entries), one kept by a confirmed consent, one hired, and an open request with days
    left; a rerun changes none of it."""
    from recruitment.management.commands.seed_demo import (
        CONCLUDED_APPLICANTS,
        CONCLUDED_SLUG,
        REQUESTING_EMAIL,
    )
    from recruitment.models import (
        Application,
        Candidate,
        CurriculumVitae,
        DataSubjectRequest,
        ErasureRecord,
    )
    from recruitment.retention.services import ledger
    from recruitment.retention.services import schedule as retention
    from recruitment.rights.services import register

    settings.DEMO_MODE = True
    call_command("seed_demo")
    first_output = capsys.readouterr().out

    posting = Posting.objects.get(slug=CONCLUDED_SLUG)
    assert posting.concluded_at is not None and posting.status == Posting.Status.CLOSED
    erased_emails = {email for _, email, stage, consents in CONCLUDED_APPLICANTS} - {
        "amra.delic@example.com",
        REQUESTING_EMAIL,
    }
    records = ErasureRecord.objects.filter(posting_id=posting.pk)
    assert records.count() == len(erased_emails) == 3
    assert set(records.values_list("reason", flat=True)) == {retention.Reason.PROCESS_CONCLUDED}
    assert not Candidate.objects.filter(email__in=erased_emails).exists()
    assert ledger.verify().ok
    assert "3 unsuccessful applications the purge erased" in first_output

    hired, kept = (
        Application.objects.filter(posting=posting).select_related("candidate").order_by("stage")
    )
    assert hired.stage == Application.Stage.HIRED
    assert kept.candidate.email == REQUESTING_EMAIL
    assert kept.stage == Application.Stage.UNSUCCESSFUL
    (consent,) = kept.consents.all()
    assert consent.confirmed_at is not None and consent.withdrawn_at is None
    kept = retention.with_retention_facts(Application.objects.filter(pk=kept.pk)).get()
    due = retention.due_for(kept)
    assert due.reason == retention.Reason.CONSENT_ENDED
    assert due.at == kept.purge_due_at == consent.expires_at > timezone.now()
    assert CurriculumVitae.objects.filter(application=kept).exists()

    (request,) = DataSubjectRequest.objects.all()
    assert request.candidate_id == kept.candidate_id
    assert request.status == DataSubjectRequest.Status.OPEN
    assert (
        0 < register.days_left(request, now=timezone.now()) < settings.PRIVACY_REQUEST_DEADLINE_DAYS
    )

    call_command("seed_demo")  # `make run` again

    assert "3 unsuccessful applications the purge erased" in capsys.readouterr().out
    assert ErasureRecord.objects.count() == 3
    assert Application.objects.filter(posting=posting).count() == 2
    assert DataSubjectRequest.objects.get() == request
    assert Posting.objects.get(pk=posting.pk).status == Posting.Status.CLOSED


@pytest.mark.django_db
def test_seed_demo_shows_a_templated_message_in_serbian(settings: Any) -> None:
    settings.DEMO_MODE = True
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent: one message and one reply
    sent, answer = CandidateMessage.objects.filter(
        application__candidate__email="jelena.simic@example.com"
    ).order_by("created_at")
    assert sent.language == "sr-latn" and "Poštovani/a Jelena," in sent.body
    assert answer.direction == CandidateMessage.Direction.FROM_CANDIDATE
    assert CandidateMessage.objects.count() == 2


@pytest.mark.django_db
def test_seed_demo_refuses_without_demo_mode(settings: Any) -> None:
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="ATS_DEMO_MODE"):
        call_command("seed_demo")
    assert not Posting.objects.exists()


@pytest.mark.django_db
def test_the_browser_tests_staff_groups_are_the_migrations() -> None:
    from django.contrib.auth.models import Group

    from tests.browser.conftest import STAFF_GROUPS

    migrated = {
        group.name: sorted(group.permissions.values_list("codename", flat=True))
        for group in Group.objects.all()
    }
    assert migrated == {name: sorted(codenames) for name, codenames in STAFF_GROUPS.items()}
