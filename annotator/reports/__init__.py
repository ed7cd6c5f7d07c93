"""The project agreement report around ``annotator.agreement``: computing it from the database
(``compute``), its plots (``plots``), its export files (``files``) and the per-document
drill-down (``drilldown``). Views and the ``agreement`` command only translate."""
