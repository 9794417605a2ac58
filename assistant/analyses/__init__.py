"""Cross-submission analyses: who (every submission judged), coverage of the call's themes,
comparison, the thematic digest."""
