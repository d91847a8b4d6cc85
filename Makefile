# Gongzhi: the two commands are `make run` and `make test`; the rest are parts of them.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# The example third-party plugin, installed as its own development package (for the tests).
EXAMPLE  := docs/examples/gongzhi-parking
EXAMPLES := $(VENV)/.examples
PYTEST := $(PY) -m pytest
E2E_ARGS := -o testpaths=e2e -p no:cacheprovider --tracing retain-on-failure \
            --screenshot only-on-failure --output var/e2e-results

.PHONY: run install test test-fast test-sqlite test-postgres e2e browser messages lock clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

$(EXAMPLES): $(STAMP) $(EXAMPLE)/pyproject.toml
	$(PY) -m pip install --quiet --disable-pip-version-check -e $(EXAMPLE)
	touch $(EXAMPLES)

## make run: install, migrate, load the demo and serve http://127.0.0.1:8000
run: install
	$(VENV)/bin/gongzhi migrate
	$(VENV)/bin/gongzhi demo
	@echo
	@echo "  Gongzhi is starting on http://127.0.0.1:8000/"
	@echo "    platform:  http://127.0.0.1:8000/"
	@echo "    districts: http://127.0.0.1:8000/t/qindu/  http://127.0.0.1:8000/t/weicheng/"
	@echo "    demo log-ins: see README.md"
	@echo
	$(VENV)/bin/gongzhi serve --host 127.0.0.1 --port 8000

## make test: the whole suite: SQLite pass, PostgreSQL pass, then the e2e journeys
# The two database passes share nothing (each has its own database, var folder and Redis keys),
# so they run side by side; each pass's output is printed whole when it ends, and either
# failing fails the run.
test: install $(EXAMPLES) browser
	@echo "Running the SQLite and PostgreSQL passes side by side (each one's output follows when it ends)…"
	$(MAKE) -j2 --output-sync=target test-sqlite test-postgres
	$(MAKE) e2e

## make test-fast: the development tier (SQLite, no slow tests, no browser)
test-fast: install $(EXAMPLES)
	$(PYTEST) tests -q -m "not slow"
	$(PYTEST) $(EXAMPLE)/tests -q

# Each pass also runs the example plugin's tests (with the example's own pytest configuration).
test-sqlite: install $(EXAMPLES)
	GONGZHI_TEST_DB=sqlite $(PYTEST) tests -q
	GONGZHI_TEST_DB=sqlite $(PYTEST) $(EXAMPLE)/tests -q

test-postgres: install $(EXAMPLES)
	GONGZHI_TEST_DB=postgres $(PYTEST) tests -q
	GONGZHI_TEST_DB=postgres $(PYTEST) $(EXAMPLE)/tests -q

## make e2e: the Playwright journeys alone (add ARGS=--base-url=http://host:port for a running instance)
e2e: install $(EXAMPLES) browser
	$(PYTEST) e2e $(E2E_ARGS) $(ARGS)

## browser: Chromium for the journeys (GONGZHI_CHROMIUM, else Debian's, installed when missing)
browser:
	@if [ -n "$$GONGZHI_CHROMIUM" ] && [ -x "$$GONGZHI_CHROMIUM" ]; then exit 0; fi; \
	if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "cjk"; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Chromium and CJK fonts from Debian…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	else \
		echo "The journeys need Chromium: install Debian's 'chromium' and 'fonts-noto-cjk', or set GONGZHI_CHROMIUM." >&2; \
		exit 1; \
	fi

## make messages: update the catalogues in pwa/locales from the code and templates
messages: install
	@mkdir -p var
	$(VENV)/bin/pybabel extract -F babel.cfg -k Message -k N_ --no-location --sort-output -o var/messages.pot .
	$(VENV)/bin/pybabel update -i var/messages.pot -d pwa/locales -D messages --no-fuzzy-matching --ignore-obsolete --width=0
	@# English message ids are the English text: new ones are copied into the en catalogue.
	$(PY) -c "from babel.messages.pofile import read_po, write_po; p='pwa/locales/en/LC_MESSAGES/messages.po'; \
	c = read_po(open(p, 'rb'), locale='en'); \
	[setattr(m, 'string', m.id) for m in c if m.id and not (any(m.string) if isinstance(m.string, tuple) else m.string)]; \
	write_po(open(p, 'wb'), c, width=0, no_location=True, sort_output=True, ignore_obsolete=True)"
	@sed -i '/^"\(Report-Msgid-Bugs-To\|Last-Translator\|Language-Team\):/d' pwa/locales/*/LC_MESSAGES/messages.po
	@echo "Now translate the new empty msgstr entries in pwa/locales/zh_Hans/LC_MESSAGES/messages.po"

## make lock: refresh constraints.txt from a clean install of pyproject's ranges
lock:
	rm -rf var/lock-venv && $(PYTHON) -m venv var/lock-venv
	var/lock-venv/bin/pip install --quiet -e '.[test]'
	(echo '# Exact versions for reproducible installs: pip install -c constraints.txt -e ".[test]"'; \
	 echo '# Refresh: make lock'; \
	 var/lock-venv/bin/pip freeze --exclude-editable | grep -v '^gongzhi') > constraints.txt
	rm -rf var/lock-venv

clean:
	rm -rf $(VENV) var/e2e-results .pytest_cache
