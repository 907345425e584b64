"""A Griffe extension (mkdocs.yml: mkdocstrings' `extensions`): docstrings keep their examples.

Python's cleandoc removes the indentation that all lines after the first share. chalkgrad's
module docstrings are a title line followed by an indented example, so cleandoc would pull the
example out of its code block. Here a docstring loses only the indentation of its place in the
source (0 for a module, the body's indentation for a class or function).
"""
import ast

import griffe


class SourceIndentedDocstrings(griffe.Extension):
    def on_instance(self, *, node, obj, **kwargs) -> None:
        body = getattr(node, "body", None)
        if obj.docstring is None or not body or not isinstance(node, ast.AST):
            return
        first = body[0]
        if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)):
            return
        indent = first.col_offset if not isinstance(node, ast.Module) else 0
        head, *rest = first.value.value.expandtabs().split("\n")
        lines = [head.strip()] + [line[indent:] if not line[:indent].strip() else line.lstrip() for line in rest]
        obj.docstring.value = "\n".join(lines).strip()
