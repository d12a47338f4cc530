"""The delegations app's models, declared in one module per capability."""
