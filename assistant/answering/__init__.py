"""Answering: refusal, the extractive answerer, LLM generation, citations."""
