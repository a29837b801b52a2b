"""The chat platforms' side: adapters, the app's composition root and the CLI."""
