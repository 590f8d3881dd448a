"""A report assembled from the store: loader, assembly, recommendations."""
