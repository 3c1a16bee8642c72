# Everything a fresh Debian machine needs, idempotently, then the drafts or the tests.
#   make demo   set up, then write the example contracts into out/
#   make test   set up, then lint (ruff, configured in pyproject.toml) and run the whole test suite
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
APT_PACKAGES := fonts-noto-cjk fontconfig libharfbuzz-subset0 poppler-utils libreoffice-writer-nogui chromium
# chromium: Debian's browser, driven by Playwright in the browser tests of `keiyaku serve` (no browser download)
# The drafts name 游明朝/Century as Japanese Word documents do; this rule prints them in Noto Serif CJK JP (Mincho)
# wherever fontconfig chooses fonts (LibreOffice on Linux), instead of a Gothic fallback.
FONT_RULE := fonts/35-keiyaku-mincho.conf
FONT_RULE_DIR := /etc/fonts/conf.d
STAMP := $(VENV)/.installed
EXAMPLES := $(wildcard examples/*.yaml)

.PHONY: demo test setup system fonts venv template clean

demo: setup
	@rm -rf out
	@for ex in $(EXAMPLES); do \
	  name=$$(basename $$ex .yaml); \
	  $(VENV)/bin/keiyaku generate $$ex --out out/$$name --pdf || exit 1; \
	done
	@echo "Drafts written to out/ — review by qualified counsel is required before use."
	@echo "The browser questionnaire: $(VENV)/bin/keiyaku serve   then open http://127.0.0.1:8000/ (Ctrl-C stops it; deals are kept in ~/.local/share/keiyaku, or --data DIR)"

test: setup
	$(PY) -m ruff check .
	$(PY) -m pytest

setup: system fonts venv

system:
	@missing=""; for p in $(APT_PACKAGES); do \
	  [ "$$(dpkg-query -W -f='$${Status}' $$p 2>/dev/null)" = "install ok installed" ] || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

fonts: system
	@cmp -s $(FONT_RULE) $(FONT_RULE_DIR)/$(notdir $(FONT_RULE)) || { \
	  echo "installing the Mincho font rule into $(FONT_RULE_DIR)"; \
	  install -m 644 $(FONT_RULE) $(FONT_RULE_DIR)/$(notdir $(FONT_RULE)); \
	}

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

template:
	$(PY) scripts/build_template.py

clean:
	rm -rf out .pytest_cache build *.egg-info
