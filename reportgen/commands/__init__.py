"""One module per command: the stage order of pull, report, build, health and rollback."""
