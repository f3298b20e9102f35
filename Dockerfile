# One image for web, worker, beat and migrate (docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --system --create-home --uid 10001 ats

COPY pyproject.toml README.md ./
COPY ats ./ats
COPY recruitment ./recruitment
COPY notifications ./notifications
RUN pip install -e .

COPY manage.py ./
COPY templates ./templates
# Compiled translation catalogues (committed; `make messages` rebuilds them).
COPY locale ./locale
COPY static ./static

# collectstatic needs settings to import; these placeholder values are used for nothing else.
RUN DJANGO_SECRET_KEY=collectstatic S3_ENDPOINT_URL=http://unused S3_BUCKET=unused \
    S3_ACCESS_KEY=unused S3_SECRET_KEY=unused ATS_VAR_DIR=/app/var \
    python manage.py collectstatic --no-input -v 0 \
    && mkdir -p /app/var && chown -R ats:ats /app/var

USER ats
EXPOSE 8000
CMD ["gunicorn", "ats.wsgi", "--bind=0.0.0.0:8000", "--workers=2", "--access-logfile=-", "--logger-class=ats.log_redaction.RedactingAccessLogger"]
