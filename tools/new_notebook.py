"""Write a notebook from a percent-format script (cells separated by '# %%'), without outputs.

    python tools/new_notebook.py SOURCE.py notebooks/NN-name.ipynb

Notebooks are edited in JupyterLab afterwards; this only saves typing JSON by hand.
"""

import sys

import jupytext
import nbformat

src, dst = sys.argv[1], sys.argv[2]
nb = jupytext.read(src, fmt="py:percent")
nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
               "language_info": {"name": "python"}}
for c in nb.cells:
    c.metadata = {}
nbformat.write(nb, dst)
print(dst)
