# The two commands of the README:
#   make run    set up, build the warehouse if there is none, serve the app
#   make test   set up (Python packages, Debian chromium and fonts), run the tests
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test build system-deps bench

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

build: $(VENV)/.installed
	$(PY) -m welfare build

run: $(VENV)/.installed
	@test -f data/warehouse/manifest.json || $(PY) -m welfare build
	$(VENV)/bin/streamlit run app.py --server.port $(PORT) --server.headless true

# Browser tests drive Debian's chromium (never a downloaded browser); fonts for screenshots.
system-deps:
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi dejavu || \
	  ( $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-dejavu-core >/dev/null )

test: $(VENV)/.installed system-deps
	$(PY) -m pytest

bench: $(VENV)/.installed
	$(PY) bench/build.py
