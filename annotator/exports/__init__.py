"""Writers and readers for research data formats.

Pure Python over the plain rows of ``rows.py`` and file-like objects: no ORM, no requests. The
selectors (``annotator.selectors.exports``) produce the rows; the import services
(``annotator.services.imports``) turn what the readers return into database rows.

Offsets everywhere are Unicode code points, half-open ``[start, end)``, into the document's
NFC text with LF newlines: the unit the database stores, so no format shifts a character.
"""
