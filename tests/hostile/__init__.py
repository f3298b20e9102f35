"""Good and hostile CV files, built in code so no binary fixture is ever committed.

Every generator is a pure function returning ``bytes`` (the expensive ones are cached; bytes are
immutable, so sharing them is safe). Test modules import from the module that makes what they
need:

- ``pdf``: ``valid_pdf()`` and the other PDFs, good and hostile, and the builders ``build_pdf``,
  ``build_pdf_with_object_stream`` and ``pdf_with_info`` for tests that need a variant.
- ``docx``: ``valid_docx()`` and the other DOCX files, and ``build_docx`` and its parts.
- ``archives``: ``build_zip`` and ``raw_entry``, ZIP archives byte by byte.
- ``other_types``: files that are neither, and ``oversized_cv(max_bytes)``, a valid PDF one
  byte over a limit.
- ``corpus``: ``GOOD_CVS`` (files that must be accepted), ``HOSTILE_CVS`` (name -> generator)
  and ``EXPECTED_REJECTION`` (name -> ``CvRejected.code``) for files that must be rejected;
  check them with ``max_bytes=HOSTILE_MAX_BYTES``.
- ``filenames``: ``hostile_filenames()``, client-supplied names that must never reach a path,
  header or page.
"""
