"""Havana Chat: the web layer (configuration, protocol, actions, broadcast, blueprints)."""
