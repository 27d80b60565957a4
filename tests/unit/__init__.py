"""Pure code, or code over fakes: no app, no process, no model."""
