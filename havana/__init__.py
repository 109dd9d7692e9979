"""Havana Chat: the web layer (configuration, protocol, services, blueprints)."""
