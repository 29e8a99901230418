"""The MCP tools: every change-producing operation, validated, returning a ChangeSet."""
