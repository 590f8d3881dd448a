"""Text views of reports and health checks: Markdown and the terminal table."""
