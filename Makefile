# Two commands on a fresh clone: `make demo` and `make test`. Each builds .venv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench clean fuzz

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,review]"
	touch $(STAMP)

# The main job on the example: plan a quarter, check the plan and the escalation policy against
# the severity framework, and write the calendar feeds. Outputs go to out/ (ignored by git).
DEMO_PLAN := out/backend-primary-2027Q1.json

demo: $(STAMP)
	$(BIN)/oncall-planner plan schedules/backend-primary.yaml --start 2027-01-04 --weeks 13 -o $(DEMO_PLAN)
	$(BIN)/oncall-planner check schedules/backend-primary.yaml --plan $(DEMO_PLAN) --severity schedules/severity.yaml
	$(BIN)/oncall-planner ical $(DEMO_PLAN) -o out/feeds --tz-mode tzid
	# An org: olivia and priya are in both schedules and carry one fair share each (org columns).
	$(BIN)/oncall-planner plan schedules/org --start 2027-01-04 --weeks 13 -o out/org-2027Q1.json
	# Coverage windows: three sites follow the sun, each on call in its own daytime only.
	$(BIN)/oncall-planner plan schedules/follow-the-sun.yaml --start 2027-01-04 --weeks 4 -o out/follow-the-sun.json
	$(BIN)/oncall-planner who out/follow-the-sun.json --at 2027-01-06T12:00Z

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy --strict oncall_planner

pytest: $(STAMP)
	HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest

test: lint typecheck pytest

# A long fuzzing run: the properties of tests/test_fuzz_*.py with thousands of random examples
# each (profile `fuzz` in tests/conftest.py; `make test` runs a few dozen). Counts and time go
# in docs/benchmarks.md.
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/test_fuzz_*.py -q --hypothesis-show-statistics

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
