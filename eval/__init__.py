"""The assistant's evaluation: golden conversations played against it, scored per kind and language."""
