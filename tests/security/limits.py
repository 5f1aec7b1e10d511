"""The small login-throttling limits the security tests' app runs with."""

ACCOUNT_LIMIT = 3
ADDRESS_LIMIT = 5
