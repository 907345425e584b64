"""Refuse, with advice, a package named `autograd` that is not chalkgrad's.

HIPS autograd on PyPI (`pip install autograd`) has the same import name as chalkgrad's
autograd; whichever Python finds first is imported. It has no `Tensor`, so without this check
`import nn` would stop further down at a bare "cannot import name 'Tensor' from 'autograd'".
"""
import autograd

if not hasattr(autograd, "Tensor"):
    where = getattr(autograd, "__file__", None) or list(getattr(autograd, "__path__", []))
    raise ImportError(
        f"chalkgrad's nn needs chalkgrad's autograd, but `import autograd` found another package ({where}), "
        "most likely HIPS autograd from PyPI, which uses the same name. Uninstall it (pip uninstall autograd) "
        "and reinstall chalkgrad, or keep the two in separate virtual environments."
    )
