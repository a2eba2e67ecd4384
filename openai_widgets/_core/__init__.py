"""The HTTP core and what everything stands on: transport, retries, errors, secrets, SSE, constants, argument checks."""
