"""The lesson engine: what the coach says and does, independent of any chat platform."""
