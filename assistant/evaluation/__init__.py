"""Evaluation over labelled questions (the `eval` command): metrics, runners, baselines."""
