"""The HTTP core and what everything stands on.

Transport (one request builder, one send loop), retries, the error tree, secrets, server-sent
events, constants and the argument checks every area uses. It imports nothing else of the package.
"""
