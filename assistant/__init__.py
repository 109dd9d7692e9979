"""The agent's parts: knowledge base, tools, prompt, providers and the offline assistant."""
