"""Cross-submission analyses: who (every submission judged), and later compare, coverage."""
