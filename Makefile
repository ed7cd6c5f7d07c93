# Annotator — the two commands of the quick start are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
DEV     = DJANGO_DEBUG=1

.PHONY: run test install install-run lint typecheck format migrate demo bench clean serve

# Two installs, each remembered by a stamp file: what running needs (`make run`), and that plus
# the test and lint tools (`make test`, `lint`, `typecheck`, `bench`, `install` for CI).
$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-run

install-run: $(VENV)/.installed-run

install: $(VENV)/.installed-dev

migrate: install-run
	$(DEV) $(PY) manage.py migrate --no-input

# Migrate, load the article and codebook fixtures, create the demo accounts and codings, serve.
demo: migrate
	$(DEV) $(PY) manage.py seed_demo

run: demo
	$(DEV) $(PY) manage.py runserver 127.0.0.1:8000

# The whole suite (unit, Django, browser). pytest's "no tests collected" (exit 5) is not a failure.
test: install
	$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 0; fi; exit $$rc

lint: install typecheck
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(DEV) $(PY) manage.py makemigrations --check --dry-run

# Type checking (configuration in pyproject.toml: lenient on annotator/, strict on agreement/ and
# exports/). Part of `make lint` and of CI; must report no errors.
typecheck: install
	$(DEV) $(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	for script in benchmarks/bench_*.py; do $(DEV) $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache

# The production stack on one machine: DEBUG off, gunicorn, static files through WhiteNoise.
# Needs DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS (and DATABASE_URL); see the README's "Deploy".
WORKERS ?= 3
BIND    ?= 127.0.0.1:8000
serve: install-run
	$(PY) manage.py migrate --no-input
	$(PY) manage.py collectstatic --no-input -v 0
	$(VENV)/bin/gunicorn annotator.wsgi --workers $(WORKERS) --bind $(BIND) --forwarded-allow-ips "$${FORWARDED_ALLOW_IPS:-127.0.0.1}"
