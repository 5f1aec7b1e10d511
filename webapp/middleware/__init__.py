"""Pure ASGI middleware, one per module, as Starlette keeps its own."""
