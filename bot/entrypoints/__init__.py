"""The doors into Olympus: the CLI (and later the webhook, the Action and the MCP server)."""
