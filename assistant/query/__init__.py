"""The question, analysed once: follow-up resolution, terms, scopes, group and kind.

``analyse(question, history, submissions=..., glossary=..., filters=...) -> Query``.
"""

from assistant.query.question import Query, analyse
from assistant.query.scopes import Scope
from assistant.query.terms import Terms

__all__ = ["Query", "Scope", "Terms", "analyse"]
