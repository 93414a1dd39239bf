"""The compiled half of arraylint's verifier (``arraylint_native._native``).

Installed by ``pip install arraylint`` beside the ``arraylint`` package, which is the API
to use: ``import arraylint``.
"""
