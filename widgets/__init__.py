"""Qt views, each thin: it renders a model and emits intents."""
