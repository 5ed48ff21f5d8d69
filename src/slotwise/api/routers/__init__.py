"""The JSON routers, one module per resource; `v3` and `v2` are the two wire formats."""
