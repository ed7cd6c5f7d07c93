"""The REST API (``/api/v1/``): thin DRF views over ``annotator.access`` and ``annotator.services``.

DRF lives only in this package. Views parse input with an Input serializer, resolve objects with
``annotator.access`` (non-members get 404, a role too low 403), call one service and render an
Output serializer. ``base.exception_handler`` maps the services' ``ValidationError`` to 400.
"""
