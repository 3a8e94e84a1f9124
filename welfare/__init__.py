"""regiowelvaart: brede welvaart in Dutch regions, rebuilt from CBS tables.

Everything that is not UI lives here. Importing the package is cheap and works
offline: heavy or optional dependencies (cbsodata, kaleido) are imported where
they are used.
"""

__version__ = "0.1.0"
