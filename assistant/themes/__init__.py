"""The call for input as data (its themes and seed phrases) and the theme tagger."""
