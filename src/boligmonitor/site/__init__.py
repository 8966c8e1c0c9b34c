"""The annual report website: everything between the published aggregates and the reader.

Layers (each module reads only the ones above it):

* :mod:`~boligmonitor.site.published`: reads ``published/*.csv`` (the only data the site sees);
* :mod:`~boligmonitor.site.report`: Danish number formats, Markdown tables, shared page parts;
* :mod:`~boligmonitor.site.charts`: Altair charts rendered to static SVG (offline);
* :mod:`~boligmonitor.site.pages`: the content of the annual reports and area pages, section by section;
* :mod:`~boligmonitor.site.docs`: documentation pages in ``docs/`` shown on the site;
* :mod:`~boligmonitor.site.project`: the Quarto project as the tests and the Makefile see it
  (page list, page-to-notebook export for nbval, offline check); ``python -m boligmonitor.site``.

The pages themselves (``index.py``, ``reports/**.py``) are thin percent-format scripts calling these.
"""
