"""Admin for organisations, grants and liaison appointments: one module per capability."""
