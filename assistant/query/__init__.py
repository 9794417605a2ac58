"""The question, analysed once: follow-up resolution, scopes, terms."""
