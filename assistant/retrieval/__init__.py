"""Retrieval: dense and lexical candidates, fusion, diversity, the cross-language glossary."""
