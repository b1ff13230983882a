"""The notifier's use cases; each takes its unit of work (or repository) and dependencies."""
