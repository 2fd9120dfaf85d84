"""The Strata application: command line, main window, job runner, settings."""
