"""``python -m sayso`` runs the command line."""
from sayso.cli import app

app(prog_name="sayso")
