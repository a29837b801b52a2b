"""Where the coach keeps what it knows: learners, deliveries, answers.

SQLAlchemy 2 typed models, Alembic migrations and repositories that hand plain
records to the lesson engine. SQLite by default; nothing here is SQLite-only.
"""
