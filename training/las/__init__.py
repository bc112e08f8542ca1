"""LAS training recipe: front end, model, training, export (see training/README.md)."""
