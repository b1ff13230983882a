"""The `tracker` command: runs the embedded stack and administers the services."""
