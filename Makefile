PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-test

.PHONY: run test bench validate samples screenshot clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[test,bench]"
	touch $(STAMP)

run: $(STAMP)
	@$(BIN)/python -m insitu_tem.gui.platform_check
	$(BIN)/insitu-tem

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider --timeout=300 -n 2 --dist loadfile --no-loadscope-reorder --durations=25

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m benchmarks

validate: $(STAMP)
	$(BIN)/pip install --quiet -e ".[test,bench,validation]"
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m validation

samples: $(STAMP)
	$(BIN)/python -m insitu_tem.samples sample_data

screenshot: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/insitu-tem --screenshot docs/images/main_window.png --size 1920x1200
	QT_QPA_PLATFORM=offscreen $(BIN)/insitu-tem --screenshot docs/images/main_window_1280x800.png --size 1280x800
	QT_QPA_PLATFORM=offscreen $(BIN)/python docs/tools/panel_screenshots.py 1920x1200 docs/images
	QT_QPA_PLATFORM=offscreen $(BIN)/python docs/tools/panel_screenshots.py 1280x800 docs/images
	QT_QPA_PLATFORM=offscreen $(BIN)/python docs/tools/nbd_map_screenshots.py 1920x1200 docs/images
	QT_QPA_PLATFORM=offscreen $(BIN)/python docs/tools/nbd_map_screenshots.py 1280x800 docs/images

clean:
	rm -rf $(VENV) build src/*.egg-info
