# vnocr developer tasks. Every target is idempotent: run them as often as you like.
#   make install   system packages (only the missing ones), .venv, editable install with dev tools
#   make demo      OCR the clean sample page and print its text
#   make test      mypy, ruff (lint and format check), then the test suite (unit, CLI and end-to-end)
#   make typecheck mypy over the package

SHELL := /bin/bash
VENV := .venv
PYTHON := $(VENV)/bin/python
# python3-venv: stock Debian/Ubuntu Pythons need it for `python3 -m venv`.
APT_PACKAGES := python3-venv tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng poppler-utils hunspell-vi fonts-noto-core ghostscript
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
INSTALL_STAMP := $(VENV)/.vnocr-installed
DEMO_SAMPLE := samples/report_clean.png

.PHONY: install system-deps demo test typecheck samples benchmark clean

install: system-deps $(INSTALL_STAMP)

system-deps:
	@missing=""; \
	for package in $(APT_PACKAGES); do \
		dpkg -s "$$package" >/dev/null 2>&1 || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing missing system packages:$$missing"; \
		$(SUDO) apt-get update && $(SUDO) apt-get install -y $$missing; \
	fi

$(PYTHON):
	python3 -m venv $(VENV)

# Re-run pip only when the package metadata changes (or the venv is new).
$(INSTALL_STAMP): pyproject.toml | $(PYTHON)
	$(PYTHON) -m pip install -e '.[dev]'
	touch $@

demo: install
	$(VENV)/bin/vnocr ocr $(DEMO_SAMPLE)

test: install typecheck
	$(VENV)/bin/ruff check pipeline lexicon tests scripts
	$(VENV)/bin/ruff format --check pipeline lexicon tests scripts
	$(VENV)/bin/pytest -q

# mypy names modules after their folders: it checks pipeline/ as `vnocr` through a link.
typecheck: install
	@mkdir -p .cache/typecheck && ln -sfn ../../pipeline .cache/typecheck/vnocr
	$(VENV)/bin/mypy

samples: install
	$(PYTHON) scripts/make_samples.py

benchmark: install
	$(PYTHON) scripts/benchmark_ocr_raw.py

clean:
	rm -rf .pytest_cache .ruff_cache build dist
