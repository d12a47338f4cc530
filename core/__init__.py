"""Code every app may use: it imports no project app."""
