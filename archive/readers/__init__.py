"""The readers: one a source form, each turning a file into blocks (``archive.blocks``) for the structure
reader. Markdown and plain text are read by ``archive.blocks``; HTML (``html``, whose libraries are imported
when an HTML issue is read), Word (``docx``) and PDF (``pdf``) here; ``encoding`` decodes text files.
``archive.reader`` picks the reader for a file.
"""
