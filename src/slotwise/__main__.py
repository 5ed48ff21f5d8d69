from slotwise.cli import app

app()
