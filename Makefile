# Two set-up commands, each working on a fresh machine with only python3 and git:
#   make demo   create .venv, install p2p, build a sample store, print its standings, render its pages
#   make test   create .venv, install p2p with test extras, run the whole test suite
# and the browser check CI runs after make test (also needs npm, and root for apt-get):
#   make test-browser   the demo's pages as an MkDocs site in headless Chromium
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_STORE ?= demo-store
DEMO_PAGES ?= demo-pages

.PHONY: demo test test-browser bench bench-sync golden venv clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install when the package metadata changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

venv: $(VENV)/.installed

demo: $(VENV)/.installed
	rm -rf $(DEMO_STORE) $(DEMO_PAGES)
	PATH="$(CURDIR)/$(BIN):$$PATH" bash demo/build.sh $(DEMO_STORE)
	$(BIN)/p2p --store $(DEMO_STORE) publish $(DEMO_PAGES)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

# Regenerate tests/golden/ (the demo store's published pages) after an intended change;
# review the diff before committing it.
golden: $(VENV)/.installed-test
	UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q tests/test_publish.py -k golden

$(VENV)/.installed-browser: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[browser]'
	touch $@ $(VENV)/.installed

# Mermaid's self-contained browser bundle at a pinned version, from the npm registry: the
# site serves it itself, so the browser needs no CDN. `npm pack` fetches (and checks the
# integrity of) the one package; the bundle needs none of its node dependencies.
MERMAID_VERSION := 12.3.0
MERMAID_JS := build/npm/mermaid-$(MERMAID_VERSION)/mermaid.min.js
$(MERMAID_JS):
	mkdir -p $(@D)
	cd build/npm && npm pack --silent mermaid@$(MERMAID_VERSION) >/dev/null
	tar -xzOf build/npm/mermaid-$(MERMAID_VERSION).tgz package/dist/mermaid.min.js > $@.part
	mv $@.part $@

# The demo's published pages as an MkDocs site in headless Chromium (Debian's, installed
# with apt-get when missing): tables and Mermaid charts checked on every page, and
# screenshots of two pages saved to build/browser/shots/ (SHOTS=docs refreshes the README's).
test-browser: $(VENV)/.installed-browser $(MERMAID_JS) demo
	command -v chromium >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }
	$(BIN)/python tools/browser_check.py $(DEMO_STORE) --mermaid $(MERMAID_JS) $(if $(SHOTS),--shots $(SHOTS))

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $@ $(VENV)/.installed

# Benchmarks are not tests: they print numbers the README quotes. bench/scale.py
# generates its stores into .bench/ once (the 1M-entry one takes about 4 minutes).
bench: $(VENV)/.installed-bench
	$(BIN)/python bench/scoring_quality.py
	$(BIN)/python bench/scale.py

# 32 writers x 20 entries against git daemon on loopback (about 10 minutes on 2 cores).
bench-sync: $(VENV)/.installed
	$(BIN)/python bench/sync_contention.py --writers 32 --entries 20

clean:
	rm -rf $(VENV) $(DEMO_STORE) $(DEMO_PAGES) build dist *.egg-info .pytest_cache .hypothesis .bench
