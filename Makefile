# Two set-up commands (see README): `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
# System packages the test suite needs, installed with apt when missing.
TEST_APT_PACKAGES := postgresql redis-server chromium gettext

# makemessages only reads the settings; these stand in for the services it never contacts.
MESSAGES_ENV := DJANGO_SECRET_KEY=makemessages DATABASE_URL=sqlite:///unused \
	S3_ENDPOINT_URL=http://127.0.0.1:9 S3_BUCKET=unused S3_ACCESS_KEY=unused S3_SECRET_KEY=unused
MESSAGES_IGNORE := --ignore=.venv --ignore=var --ignore=tests --ignore=bench \
	--ignore=test-artifacts --ignore=static --ignore=docs

.PHONY: run demo-totp test bench messages format system-packages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,test]'
	rm -f $(VENV)/.installed-*
	touch $@

## make run: the whole system on embedded defaults with demo data (Ctrl-C stops it all).
run: $(STAMP)
	$(BIN)/python -m tools.devstack run

## make demo-totp ACCOUNT=recruiter: the current second-factor code of a `make run` demo account.
demo-totp: $(STAMP)
	$(BIN)/python -m tools.devstack demo-totp $(ACCOUNT)

## make test: services on free ports, the whole suite, ruff, mypy and the import contracts. PYTEST_ARGS narrows pytest.
test: system-packages $(STAMP)
	$(BIN)/python -m tools.devstack test $(PYTEST_ARGS)

## make bench: benchmarks against baselines measured in the same run (writes bench/results.json).
bench: system-packages $(STAMP)
	$(BIN)/python -m bench

system-packages:
	@missing=""; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v xgettext >/dev/null 2>&1 || missing="$$missing gettext"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		echo "Installing:$$missing"; \
		SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(TEST_APT_PACKAGES) >/dev/null || \
		{ echo "Could not install$$missing with apt-get" >&2; exit 1; }; \
	fi

## make messages: extract every translatable string into the catalogues (locale/), then
## regenerate the Cyrillic Serbian catalogue and compile them all (see ats/catalogs.py).
messages: system-packages $(STAMP)
	$(MESSAGES_ENV) $(BIN)/python manage.py makemessages --no-obsolete --no-location \
		-l bs -l hr -l sr_Latn $(MESSAGES_IGNORE)
	$(BIN)/python -m ats.catalogs

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var
