"""``python -m sayso.cli`` runs the command line (tests and worker set-ups start it so)."""
from sayso.cli import app

app()
