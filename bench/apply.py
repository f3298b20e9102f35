"""Apply throughput: the real application form, submitted over HTTP to gunicorn running the
production settings (DEBUG off, 2 sync workers, loopback), against "the limit": a view in the
same server that only receives the same multipart upload and streams it to the same bucket.

Each of CLIENTS threads first GETs the posting page once for its CSRF cookie and the
form's hidden fields (the token, the privacy-text versions shown), as a browser would,
then POSTs its share of the submissions (unique emails, every required field, a ~300 KB
valid PDF CV shaped like a real one: two pages of text and a photo). Timed: the POSTs only,
for both, so the ratio is what the application adds to receiving and storing the CV (the
content check, the rows, the confirmation email in the outbox...). Target: >= 0.5 of the
limit's requests/s. Reading the CV's text for the talent pool is the worker's, after the
upload (recruitment.cvs.extraction): its CPU per CV is measured and printed beside.

Also recorded for both: the CPU each request cost, by process group (bench/cpu.py: the
client, gunicorn, PostgreSQL, Redis, SeaweedFS), steadier from run to run than requests/s
and the account of where an application's cost goes.

The two alternate in ROUNDS rounds (limit then form, then form then limit, ...), each
sending SUBMISSIONS / ROUNDS requests: a neighbour's burst on a shared machine then
slows both sides instead of only the one that happened to be running.
"""

import io
import os
import re
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import urllib3
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, NumberObject

from bench import cpu
from bench.data import bench_posting
from recruitment.cvs import extraction
from recruitment.models import Application
from tools import devstack

SUBMISSIONS = int(os.environ.get("BENCH_APPLY_N", "400"))
CLIENTS = int(os.environ.get("BENCH_APPLY_CLIENTS", "8"))
ROUNDS = int(os.environ.get("BENCH_APPLY_ROUNDS", "4"))
PDF_BYTES = 300 * 1024
# The application form (the page's only multipart one) and its hidden inputs.
FORM = re.compile(rb'<form method="post" enctype="multipart/form-data".*?</form>', re.DOTALL)
HIDDEN = re.compile(rb'<input type="hidden" name="([^"]+)" value="([^"]*)"')
# The bench CV's words, repeated over its two pages.
CV_TEXT = (
    "Senior Python developer with eight years of experience building Django services, "
    "PostgreSQL schemas, Celery pipelines and Kubernetes deployments for retail, banking and "
    "logistics customers; led teams of five, improved latency, wrote tests and documentation"
)
CV_WORDS = CV_TEXT.split()


def cv_pdf(size: int = PDF_BYTES) -> bytes:
    """A valid PDF of about `size` bytes shaped like a real CV: two pages of text (60 lines
    of a dozen words each, in a standard font, so there is text to read) and a photo (a
    grey image, drawn on the first page) that makes up the rest of the bytes."""
    writer = PdfWriter()
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
    )
    side = int((size - 12 * 1024) ** 0.5)  # the photo's bytes: the size less the text's
    photo = DecodedStreamObject()
    photo.set_data(bytes((x * 7 + y * 13) % 251 for y in range(side) for x in range(side)))
    photo.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(side),
            NameObject("/Height"): NumberObject(side),
            NameObject("/ColorSpace"): NameObject("/DeviceGray"),
            NameObject("/BitsPerComponent"): NumberObject(8),
        }
    )
    photo_ref = writer._add_object(photo)
    for number in range(2):
        page = writer.add_blank_page(width=595, height=842)
        lines = "\n".join(
            "("
            + " ".join(CV_WORDS[(number * 60 + line + word) % len(CV_WORDS)] for word in range(12))
            + ") '"
            for line in range(60)
        )
        drawing = f"BT /F1 10 Tf 12 TL 50 800 Td\n{lines}\nET\n"
        resources = {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        if number == 0:
            drawing += "q 80 0 0 80 470 740 cm /Photo Do Q\n"
            resources[NameObject("/XObject")] = DictionaryObject({NameObject("/Photo"): photo_ref})
        content = DecodedStreamObject()
        content.set_data(drawing.encode())
        page[NameObject("/Contents")] = writer._add_object(content)
        page[NameObject("/Resources")] = DictionaryObject(resources)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class Browser:
    """One client: a connection pool, its cookies and the form's hidden fields."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = urllib3.PoolManager(maxsize=1, retries=False, timeout=60.0)
        self.cookies: dict[str, str] = {}
        self.hidden: dict[str, str] = {}

    def _remember(self, response: urllib3.BaseHTTPResponse) -> None:
        for header in response.headers.getlist("Set-Cookie"):
            cookie: SimpleCookie = SimpleCookie()
            cookie.load(header)
            self.cookies.update({name: morsel.value for name, morsel in cookie.items()})

    def _cookie_header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def open_form(self, path: str) -> None:
        response = self.http.request("GET", self.base + path, headers=self._cookie_header())
        if response.status != 200:
            raise RuntimeError(f"GET {path}: HTTP {response.status}")
        self._remember(response)
        form = FORM.search(response.data)
        fields = HIDDEN.findall(form[0]) if form else []
        self.hidden = {name.decode(): value.decode() for name, value in fields}
        if "csrfmiddlewaretoken" not in self.hidden:
            raise RuntimeError(f"GET {path}: no application form with a CSRF token")

    def post(self, path: str, fields: dict[str, Any]) -> tuple[int, float, bytes]:
        """(status, seconds, body) of one multipart POST."""
        start = time.perf_counter()
        response = self.http.request(
            "POST",
            self.base + path,
            fields=fields,
            headers={**self._cookie_header(), "Referer": self.base + path},
            redirect=False,
        )
        elapsed = time.perf_counter() - start
        return response.status, elapsed, response.data


def application_fields(hidden: dict[str, str], email: str, pdf: bytes) -> dict[str, Any]:
    return {
        **hidden,
        "full_name": "Bench Applicant",
        "email": email,
        "phone": "+381 11 123 4567",
        "cover_letter": "I would like to apply. " * 20,
        "privacy_acknowledged": "on",
        "age_attested": "on",
        "website": "",
        "cv": ("cv.pdf", pdf, "application/pdf"),
    }


class Load:
    """One side of the comparison: its clients, and every POST's latency so far."""

    def __init__(self, base: str, form_path: str, post_path: str, *, tag: str, expect: int):
        self.browsers = [Browser(base) for _ in range(CLIENTS)]
        for browser in self.browsers:
            browser.open_form(form_path)
        self.post_path, self.tag, self.expect = post_path, tag, expect
        self.latencies: list[float] = []
        self.wall = 0.0
        self.sent = 0
        self.cpu_seconds: dict[str, float] = {}

    def round(self, count: int, pdf: bytes) -> None:
        """`count` POSTs, shared among the clients, which send them concurrently."""
        first = self.sent
        shares = [range(first + c, first + count, CLIENTS) for c in range(CLIENTS)]

        def client(n: int) -> list[float]:
            browser, latencies = self.browsers[n], []
            for i in shares[n]:
                email = f"apply-{self.tag}-{i}@example.com"
                status, elapsed, body = browser.post(
                    self.post_path, application_fields(browser.hidden, email, pdf)
                )
                if status != self.expect:
                    raise RuntimeError(f"POST {self.post_path}: HTTP {status}:\n{body[:2000]!r}")
                latencies.append(elapsed)
            return latencies

        before, start = cpu.snapshot(), time.perf_counter()
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            self.latencies += [x for one in pool.map(client, range(CLIENTS)) for x in one]
        self.wall += time.perf_counter() - start
        cpu.spent(before, cpu.snapshot(), into=self.cpu_seconds)
        self.sent += count

    def figures(self) -> dict[str, float]:
        """Requests/s over every round, and latency percentiles (ms)."""
        cuts = statistics.quantiles(self.latencies, n=100)
        return {"rps": self.sent / self.wall, "p50": cuts[49] * 1000, "p95": cuts[94] * 1000}

    def cpu_ms(self) -> dict[str, float]:
        """CPU ms per request by process group, and their total ("other": the rest of the
        machine, e.g. a neighbour, left out of the total)."""
        per_request = {
            group: round(seconds * 1000 / self.sent, 2)
            for group, seconds in sorted(self.cpu_seconds.items())
            if seconds > 0
        }
        per_request["total"] = round(
            sum(ms for group, ms in per_request.items() if group != "other"), 2
        )
        return per_request


def text_reading_cpu_ms(pdf: bytes, times: int = 20) -> float:
    """The CPU the worker spends reading the CV's text after the upload (its checks and the
    text, `recruitment.cvs.extraction.text_of`), median ms: work the application form no
    longer does while the candidate waits, so not in its requests/s."""
    spent = []
    for _ in range(times):
        start = time.process_time()
        extraction.text_of(pdf)
        spent.append((time.process_time() - start) * 1000)
    return statistics.median(spent)


def run() -> list[dict[str, Any]]:
    pdf = cv_pdf()
    print(
        f"apply: {SUBMISSIONS} submissions of a {len(pdf) // 1024} KB PDF from {CLIENTS} "
        f"clients to gunicorn (2 workers, production settings), in {ROUNDS} alternating rounds"
    )
    posting = bench_posting("Bench apply")
    port = devstack.free_port()
    log_dir = Path(os.environ["ATS_VAR_DIR"])  # the bench services set it
    stack = devstack.Stack(log_dir=log_dir)
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "false",
        "ATS_APPLY_RATE_LIMIT": "1000000/60",  # one client address sends every submission
    }
    argv = devstack.resolved(devstack.app_commands(host="127.0.0.1", port=port)["web"])
    argv = [arg for arg in argv if not arg.startswith("--access-logfile")]
    try:
        stack.start(
            "bench-web",
            [*argv, f"--pythonpath={devstack.BASE_DIR}"],
            env=env,
            ready=lambda: devstack.tcp_answers(port),
            timeout=60,
        )
        base = f"http://127.0.0.1:{port}"
        form = f"/careers/{posting.slug}/"
        # Warm both workers (imports, connections) on both paths before timing anything.
        warm = Browser(base)
        warm.open_form(form)
        for i in range(4):
            warm.post("/bench/upload-limit", {"cv": ("cv.pdf", pdf, "application/pdf")})
            warm.post(form, application_fields(warm.hidden, f"warm-{i}@example.com", pdf))
        limit_load = Load(base, form, "/bench/upload-limit", tag="limit", expect=204)
        apply_load = Load(base, form, form, tag="apply", expect=302)
        per_round = SUBMISSIONS // ROUNDS
        for n in range(ROUNDS):
            pair = (limit_load, apply_load) if n % 2 == 0 else (apply_load, limit_load)
            for side in pair:
                side.round(per_round, pdf)
        stack.check_alive()
        limit, apply = limit_load.figures(), apply_load.figures()
    finally:
        stack.stop_all()
    made, expected = Application.objects.filter(posting=posting).count(), apply_load.sent + 4
    if made != expected:
        print(f"  warning: {made} applications saved, expected {expected}", file=sys.stderr)
    for name, figures, side in (
        ("limit (upload to storage)", limit, limit_load),
        ("application form", apply, apply_load),
    ):
        print(
            f"  {name:<26} {figures['rps']:6.1f} requests/s, p50 {figures['p50']:.0f} ms, "
            f"p95 {figures['p95']:.0f} ms; CPU ms per request: {side.cpu_ms()}"
        )
    reading_ms = text_reading_cpu_ms(pdf)
    print(f"  afterwards, the worker reads each CV's text: {reading_ms:.1f} ms CPU per CV")
    return [
        {
            "name": "apply throughput vs upload-to-storage limit",
            "value": apply["rps"],
            "unit": "req/s",
            "baseline": limit["rps"],
            "ratio": apply["rps"] / limit["rps"],
            "target": 0.5,
            "p50_ms": apply["p50"],
            "p95_ms": apply["p95"],
            "baseline_p50_ms": limit["p50"],
            "baseline_p95_ms": limit["p95"],
            "cpu_ms_per_request": apply_load.cpu_ms(),
            "baseline_cpu_ms_per_request": limit_load.cpu_ms(),
            "submissions": apply_load.sent,
            "clients": CLIENTS,
            "rounds": ROUNDS,
            "cv_bytes": len(pdf),
            "worker_text_cpu_ms_per_cv": reading_ms,
        },
    ]
