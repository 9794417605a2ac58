"""Cross-submission analyses: coverage of the call's themes, comparison, the thematic digest."""
