"""One module per conversation the coach can have: onboarding, lesson, progress, ..."""
