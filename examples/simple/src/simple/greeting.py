"""Pure first-party logic, rendered through Jinja2 (a real third-party import)."""
from jinja2 import Template

_TEMPLATE = Template("Hello, {{ name }}!")


def greet(name: str) -> str:
    return _TEMPLATE.render(name=name or "world")
