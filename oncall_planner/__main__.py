"""``python -m oncall_planner`` runs the CLI."""

from oncall_planner.cli import main

raise SystemExit(main())
