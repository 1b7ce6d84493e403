# Two commands for everyone: `make lab` opens the course, `make test` runs the suite.
# Each makes .venv first if it is missing or older than pyproject.toml.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: lab instructor test lint bench demo browser postgres clean lessons content axe

# The stamp files make "older than pyproject.toml" a plain make dependency. The repository's
# .venv has the learner's library plus JupyterLab and the instructor's tools (pyproject's extras).
$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[instructor]'
	@# pip compiles an installed package's bytecode, but not an editable one's: without it a
	@# lesson compiles the library on every kernel start where bytecode is not written
	@# (PYTHONDONTWRITEBYTECODE, read-only folders), about 0.1 s of each lesson's run.
	$(BIN)/python -m compileall -q course
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

# The course's JupyterLab settings, for every session in .venv (learner's and instructor's):
# no news or update pop-up, and keys typed in a course widget stay in it (binder/overrides.json,
# written by binder/learner_settings.py). Binder's postBuild installs the same file.
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.d/exosome-reality-check.json
$(LAB_OVERRIDES): binder/overrides.json $(VENV)/.installed
	@mkdir -p $(dir $@) && cp binder/overrides.json $@

# A learner's JupyterLab: binder/ is its configuration (nbgrader's and jupytext's extensions
# off, the start page opened), serving build/learner/: the lessons and the released assessments.
lab: $(VENV)/.installed $(LAB_OVERRIDES)
	@ls grading/release/*/assessment.ipynb >/dev/null 2>&1 || $(BIN)/exocourse release \
	  || echo "The assessments could not be released; the lessons open all the same."
	$(BIN)/python binder/learner_view.py
	JUPYTER_CONFIG_PATH=$(CURDIR)/binder $(BIN)/jupyter lab $(ROOT_FLAG)

# The instructor's JupyterLab, in the course folder grading/, with nbgrader's tools on
# (Nbgrader menu > Formgrader; docs/instructors.md).
instructor: $(VENV)/.installed $(LAB_OVERRIDES)
	cd grading && ../$(BIN)/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir=.

# Lessons are written in lessons/*.md (MyST Markdown, citing [@key]); the notebooks
# learners open, modules/*.ipynb, are rendered from them: citations as author-year links to
# each lesson's reference list, code cells collapsed. Commit both; the test suite fails when
# they drift apart. `make lessons SHOW_CODE=1` renders with the code cells open.
lessons: $(VENV)/.installed-test
	$(BIN)/python -m course._lesson_sources $(if $(SHOW_CODE),--show-code)

# Everything generated from the course's sources: lessons and assessments.
content: lessons assessments

# The browser test needs Debian's Chromium; the PostgreSQL test needs Debian's server.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "Chromium is missing: install it with 'sudo apt-get install chromium' (the browser test is skipped until then)."; \
	  fi; \
	fi

postgres:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; \
	  else \
	    echo "PostgreSQL is missing: install it with 'sudo apt-get install postgresql' (the PostgreSQL test is skipped until then)."; \
	  fi; \
	fi

# Certificates print any learner's name: Debian's Noto fonts for Chinese, Japanese and Korean,
# for emoji and for other alphabets (course/_pdf.py falls back on them for what the bundled
# DejaVu Sans lacks, and says what to install when one is missing).
.PHONY: fonts
FONT_PACKAGES := fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji
fonts:
	@if [ ! -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || [ ! -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] \
	     || [ ! -f /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(FONT_PACKAGES); \
	  else \
	    echo "Fonts for CJK and emoji names are missing: install them with 'sudo apt-get install $(FONT_PACKAGES)'."; \
	  fi; \
	fi

test: $(VENV)/.installed-test browser postgres fonts node axe lint
	$(BIN)/python -m pytest

# ruff and mypy, configured in pyproject.toml; `make test` runs them first.
lint: $(VENV)/.installed-test
	$(BIN)/ruff check course tests benchmarks grading/nbgrader_config.py setup.py
	$(BIN)/mypy

# The JupyterLite edition: a static site in build/lite/ (lite/ pins what it serves; npm
# installs the Pyodide runtime from lite/package-lock.json). `make lite-serve` tries it on
# http://127.0.0.1:8000/ ; docs/lite.md says how to publish the folder.
.PHONY: lite lite-serve node
$(VENV)/.installed-lite: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[instructor,lite]'
	@touch $@

lite: $(VENV)/.installed-lite node
	$(BIN)/python -m course.instructor.lite build/lite

lite-serve: $(VENV)/.installed-lite
	@test -f build/lite/index.html || $(MAKE) lite
	$(BIN)/python -m course.instructor.lite build/lite --serve --port $(or $(PORT),8000)

# npm (for the Pyodide runtime of the JupyterLite edition) comes from Debian's packages.
node:
	@if ! command -v npm >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; \
	  else \
	    echo "npm is missing: install it with 'sudo apt-get install nodejs npm' (make lite and its test need it)."; \
	  fi; \
	fi

# axe-core, the accessibility engine the browser tests run on every lesson: from npm, pinned,
# into build/npm/ (git-ignored; npm's own cache keeps the download between runs).
AXE_VERSION := 4.14.1
axe: node
	@test -f build/npm/node_modules/axe-core/axe.min.js || npm install --silent --no-audit --no-fund --no-save \
	  --prefix build/npm axe-core@$(AXE_VERSION)

bench: $(VENV)/.installed-test axe
	$(BIN)/python -m compileall -q course
	$(BIN)/python -m benchmarks

demo: $(VENV)/.installed fonts
	$(BIN)/exocourse demo

# The graded assessments: grading/assessments/<id>.yml (the key, for instructors) writes
# grading/source/<id>/assessment.ipynb; a test fails when a committed notebook has drifted.
.PHONY: assessments
assessments: $(VENV)/.installed
	$(BIN)/python -m course.instructor.assessment_notebooks --course-dir grading

clean:
	rm -rf $(VENV) grading/release grading/submitted grading/autograded grading/feedback grading/gradebook.db grading/.gradebook.lock grading/reports grading/certificates
