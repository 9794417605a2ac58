"""The Gradio app. Importing this package launches nothing and does not import Gradio yet.

``build_app(engine, settings)`` returns the Blocks; ``launch(app, settings)`` serves them with
the app's theme, assets and access rules. Only this package imports gradio.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import gradio as gr

    from assistant.config import Settings
    from assistant.engine import Engine


def build_app(engine: Engine, settings: Settings) -> gr.Blocks:
    """Return the app's gr.Blocks for ``engine`` (see :mod:`assistant.ui.app`)."""
    from assistant.ui.app import build_app as build

    return build(engine, settings)


def launch(app: gr.Blocks, settings: Settings, **overrides: Any) -> Any:
    """Serve ``app`` on settings.host/settings.port (see :mod:`assistant.ui.app`)."""
    from assistant.ui.app import launch as run

    return run(app, settings, **overrides)
