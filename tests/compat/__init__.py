"""Compatibility suites: the official SDK against the sandbox, the package against another server."""
