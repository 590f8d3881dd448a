"""The static site: plan the pages, gather them, render charts and pages, write atomically."""
