# Everything a fresh Debian machine needs, idempotently, then the drafts or the tests.
#   make demo   set up, then write the example contracts into out/
#   make test   set up, then run the whole test suite
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
APT_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 poppler-utils libreoffice-writer-nogui
STAMP := $(VENV)/.installed
EXAMPLES := $(wildcard examples/*.yaml)

.PHONY: demo test setup system venv template clean

demo: setup
	@rm -rf out
	@for ex in $(EXAMPLES); do \
	  name=$$(basename $$ex .yaml); \
	  $(VENV)/bin/keiyaku generate $$ex --out out/$$name --pdf || exit 1; \
	done
	@echo "Drafts written to out/ — review by qualified counsel is required before use."

test: setup
	$(PY) -m pytest

setup: system venv

system:
	@missing=""; for p in $(APT_PACKAGES); do \
	  [ "$$(dpkg-query -W -f='$${Status}' $$p 2>/dev/null)" = "install ok installed" ] || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

template:
	$(PY) scripts/build_template.py

clean:
	rm -rf out .pytest_cache build *.egg-info
